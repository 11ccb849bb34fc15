"""Attendance: definitions (figures, categories, labels, order), periods, and the engine.

    from handlers.reports.attendance import build_attendance, Period, Platform, Tally, CAPAIAN

- `definitions` — every figure a report may show (`Figure` constants with key,
  Indonesian label, unit and formula), `Category`, `AttendanceRules`, `Tally`,
  and the one order (`person_order`, `unit_order`, `performance_key`, `rank_order`).
- `periods` — `Period` (whole Asia/Jakarta days).
- `engine` — `build_attendance` / `build_combined_attendance` → `AttendanceReport`.
"""

from handlers.reports.attendance.definitions import (  # noqa: F401
    BACKLOG, BELUM, CAPAIAN, CATEGORY_FIGURE, DONE, FIGURES, MISSING, KURANG, LENGKAP, LENGKAP_SHARE, NO_DIVISION, PERSONNEL,
    POSITION_KEYWORDS, RANKS, SUDAH, TANPA_TUGAS, TANPA_USERNAME, TASKS, TASKS_ASSIGNED, TASKS_DONE, USERNAME_FILLED,
    AttendanceRules, Category, Figure, Platform, Tally, division_label, division_name, performance_key, person_done,
    person_order, position_order, rank_order, share, unit_order,
)
from handlers.reports.attendance.engine import (  # noqa: F401
    AttendanceReport, CombinedAttendance, DivisionAttendance, PersonAttendance, PostRef, SatkerAttendance, Scope,
    assemble_report, build_attendance, build_combined_attendance, collector_paused, default_scope, population,
    post_url,
)
from handlers.reports.attendance.periods import ALL_TIME_START, Period  # noqa: F401
