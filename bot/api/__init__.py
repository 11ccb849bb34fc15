"""The HTTP read API for the Cicero_Web dashboard (FastAPI, JWT).

- `app.create_app(deps)` builds the application; `deps.ApiDeps` carries the
  settings, the database pool, the clock and the health probes.
- `part.ApiPart` serves it with uvicorn inside `cicero run`; `cicero api` runs it alone.
- One router per resource in `routers/`; response shapes follow
  `../shared/reference/dashboard_contract.md` §3.
- Attendance numbers come from `handlers.reports.attendance` only (`rekap.py` renders them).
"""
