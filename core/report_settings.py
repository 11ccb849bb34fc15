"""`[reports]`: the scheduled report subscriptions (a leaf like `core.settings`, which includes it).

The `*_times` lists are the times of the default subscriptions seeded from
them (`handlers/reports/subscriptions/defaults.py`); a default follows its list
until an admin sets its times. An empty list seeds nothing and leaves the
defaults already seeded from it without a time (listed as inactive).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

TIME_LISTS = ("group_recap_times", "leader_times", "operator_times", "org_engagement_times",
              "org_completeness_times", "admin_times")


def _hhmm(values: list[str]) -> list[str]:
    out = []
    for i, value in enumerate(values):
        hour, _, minute = value.strip().replace(".", ":").partition(":")
        if not (hour.isascii() and hour.isdigit() and minute.isascii() and minute.isdigit()
                and len(minute) == 2 and int(hour) < 24 and int(minute) < 60):
            raise ValueError(f"item {i}: {value!r} is not a time HH:MM")
        out.append(f"{int(hour):02d}:{minute}")
    if len(set(out)) != len(out):
        raise ValueError("the same time twice")
    return out


class ReportsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)

    enabled: bool = Field(True, description="fire due report subscriptions every minute")
    seed_defaults: bool = Field(True, description="seed the original's daily rhythm once (never overwrites edits)")
    directorate: str = Field("DITBINMAS", description="client id of the directorate the default recaps are about")
    group_recap_times: list[str] = Field(default_factory=lambda: ["15:20", "18:10"],
                                         description="directorate group: combined recap (21) + ranking Excel (22)")
    leader_times: list[str] = Field(default_factory=lambda: ["18:20"],
                                    description="directorate super-admins: options 6, 9, 34, 35")
    operator_times: list[str] = Field(default_factory=lambda: ["18:23"],
                                      description="directorate operator: Kasatker report (30)")
    org_engagement_times: list[str] = Field(default_factory=lambda: ["15:20", "18:20", "20:20"],
                                            description="each org client's group + operator: likes/comments per division")
    org_completeness_times: list[str] = Field(default_factory=lambda: ["06:45"],
                                              description="each org client's group + operator: username completeness")
    admin_times: list[str] = Field(default_factory=lambda: ["08:00", "12:00", "16:00"],
                                   description="admins: completeness recap (1) + executive summary (2)")
    catch_up_minutes: int = Field(120, ge=0, le=24 * 60,
                                  description="a slot missed while the service was down is still sent this long after")
    max_fires_per_tick: int = Field(2000, ge=1, le=100_000,
                                    description="subscription slots fired per minute at most (the rest: next minute)")
    build_concurrency: int = Field(4, ge=1, le=32, description="reports built at the same time in one tick")

    @field_validator(*TIME_LISTS)
    @classmethod
    def _times(cls, values: list[str]) -> list[str]:
        return _hhmm(values)

    @field_validator("directorate")
    @classmethod
    def _directorate(cls, value: str) -> str:
        value = value.strip().upper()
        if len(value) > 64:
            raise ValueError("longer than 64 characters")
        return value
