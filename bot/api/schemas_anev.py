"""Response shape of `GET /api/dashboard/anev`: the keys the dashboard's Anev page reads
(`cicero-dashboard/app/anev/polres/page.tsx`, `utils/api.ts: getDashboardAnev`). Rates are percentages.
"""

from __future__ import annotations

from pydantic import BaseModel


# --------------------------------------------------------------------------- Anev

class AnevFilters(BaseModel):
    time_range: str
    start_date: str
    end_date: str
    client_id: str
    role: str | None
    scope: str
    regional_id: str | None
    permitted_time_ranges: list[str]


class AnevPosts(BaseModel):
    instagram: int
    tiktok: int


class AnevTotals(BaseModel):
    total_users: int
    users: int
    likes: int
    total_likes: int
    comments: int
    total_comments: int
    expected_actions: int
    completed_actions: int
    completion_rate: float | None
    posts: AnevPosts
    instagram_posts: int
    tiktok_posts: int


class AnevDay(BaseModel):
    date: str
    start_date: str
    end_date: str
    label: str
    instagram_posts: int
    tiktok_posts: int
    posts: int
    likes: int
    comments: int
    interactions: int
    completion_rate: float | None


class AnevPlatform(BaseModel):
    platform: str
    label: str
    posts: int
    likes: int
    comments: int
    engagement: int
    personnel: int
    lengkap: int
    kurang: int
    belum: int
    tanpa_username: int
    tasks_assigned: int
    tasks_done: int
    completion_rate: float | None


class AnevUnitRow(BaseModel):
    name: str
    satfung: str
    client_id: str | None
    personnel: int
    assigned: int
    completed: int
    completion_rate: float | None


class AnevPersonRow(BaseModel):
    user_id: str
    nama: str
    pelaksana: str
    client_id: str
    client_name: str
    satfung: str
    likes: int
    comments: int
    total_actions: int
    assigned: int
    completed: int
    completion_rate: float | None


class AnevSatfungCount(BaseModel):
    satfung: str
    count: int


class AnevEngagementUser(BaseModel):
    user_id: str
    username: str
    platform: str
    satfung: str
    posts: int
    likes: int
    comments: int
    engagement: int


class AnevEngagementUnit(BaseModel):
    satfung: str
    posts: int
    likes: int
    comments: int
    engagement: int
    engagement_rate: float | None


class AnevEngagementTotals(BaseModel):
    total_posts: int
    total_likes: int
    total_comments: int
    completion_rate: float | None


class AnevEngagement(BaseModel):
    totals: AnevEngagementTotals
    per_user: list[AnevEngagementUser]
    per_satfung: list[AnevEngagementUnit]


class AnevAggregates(BaseModel):
    totals: AnevTotals
    timeline: list[AnevDay]
    platforms: list[AnevPlatform]
    tasks: list[AnevUnitRow]
    compliance_per_pelaksana: list[AnevPersonRow]
    user_per_satfung: list[AnevSatfungCount]


class AnevLikesPerUnit(BaseModel):
    likes_per_satfung: list[AnevEngagementUnit]


class AnevCommentsPerUnit(BaseModel):
    per_satfung: list[AnevEngagementUnit]


class AnevDirectoryEntry(BaseModel):
    user_id: str
    username: str
    full_name: str
    satfung: str
    division: str
    client_id: str
    client_name: str
    instagram: str | None
    tiktok: str | None


class AnevData(BaseModel):
    filters: AnevFilters
    aggregates: AnevAggregates
    instagram: AnevLikesPerUnit
    tiktok: AnevCommentsPerUnit
    instagram_engagement: AnevEngagement
    tiktok_engagement: AnevEngagement
    directory: list[AnevDirectoryEntry]


class AnevResponse(BaseModel):
    success: bool
    data: AnevData
