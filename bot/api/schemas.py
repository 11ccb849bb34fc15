"""Request bodies and documented response shapes (OpenAPI at /docs).

Response models describe exactly what the routers return (the dashboard
contract §3); the rekap endpoints return pre-encoded JSON for speed, and the
schemathesis test checks that what they return still matches these models.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


def clean_text(value: str) -> str:
    """Drop what PostgreSQL text cannot hold (NUL, lone surrogates)."""
    return value.encode("utf-8", "ignore").decode("utf-8").replace("\x00", "")


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _clean_strings(cls, value):
        return clean_text(value) if isinstance(value, str) else value


# --------------------------------------------------------------------------- auth

class OperatorLoginBody(_Body):
    client_id: str = Field(min_length=1, max_length=64)
    client_operator: str = Field(min_length=1, max_length=64, description="WhatsApp number, any format")


class DashboardLoginBody(_Body):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class LoginClient(BaseModel):
    client_id: str
    nama: str
    role: str
    client_type: str


class OperatorLoginResponse(BaseModel):
    success: bool
    token: str
    client: LoginClient


class DashboardUser(BaseModel):
    user_id: str
    username: str
    client_id: str | None
    role: str
    client_ids: list[str]


class DashboardLoginResponse(BaseModel):
    success: bool
    token: str
    user: DashboardUser


class OkResponse(BaseModel):
    success: bool
    message: str


# --------------------------------------------------------------------------- clients

class ClientProfile(BaseModel):
    client_id: str
    nama: str
    nama_client: str
    client_name: str
    client_type: str = Field(description="ORG or DIREKTORAT")
    client_status: bool
    regional_id: str | None
    parent_client_id: str | None
    client_insta: str | None
    client_insta_status: bool
    client_tiktok: str | None
    client_tiktok_status: bool
    client_amplify_status: bool
    premium_status: bool
    premium_tier: str | None
    premium_expires_at: str | None


class ClientProfileResponse(BaseModel):
    success: bool
    client: ClientProfile


class ClientResponse(BaseModel):
    success: bool
    data: ClientProfile


class ClientListResponse(BaseModel):
    success: bool
    data: list[ClientProfile]


class CreateClientBody(_Body):
    client_id: str = Field(min_length=2, max_length=64)
    nama: str = Field(min_length=1, max_length=200)
    client_type: str = Field("org", description="org or direktorat (any case)")
    client_insta: str | None = Field(None, max_length=100)
    client_tiktok: str | None = Field(None, max_length=100)
    client_operator: str | None = Field(None, max_length=64)
    regional_id: str | None = Field(None, max_length=64)
    parent_client_id: str | None = Field(None, max_length=64)


# --------------------------------------------------------------------------- users

class UserRow(BaseModel):
    user_id: str
    nama: str
    title: str | None
    divisi: str | None
    jabatan: str | None
    insta: str | None
    tiktok: str | None
    email: str | None
    whatsapp: str | None
    status: bool
    exception: bool
    roles: list[str]
    client_id: str
    client_name: str
    nama_client: str
    regional_id: str | None


class UserListResponse(BaseModel):
    success: bool
    data: list[UserRow]
    total: int


class UserResponse(BaseModel):
    success: bool
    data: UserRow


class CreateUserBody(_Body):
    user_id: str = Field(min_length=1, max_length=30, description="NRP/NIP")
    client_id: str = Field(min_length=1, max_length=64)
    nama: str = Field(min_length=1, max_length=200)
    title: str | None = Field(None, max_length=60)
    divisi: str | None = Field(None, max_length=120)
    jabatan: str | None = Field(None, max_length=120)
    insta: str | None = Field(None, max_length=100)
    tiktok: str | None = Field(None, max_length=100)
    whatsapp: str | None = Field(None, max_length=40)
    roles: list[str] | None = Field(None, max_length=20, description="roles to give (scope rules of PUT /{nrp}/roles)")


class UpdateUserBody(_Body):
    user_id: str | None = Field(None, max_length=30, description="a different NRP renames the person everywhere")
    nama: str | None = Field(None, min_length=1, max_length=200)
    title: str | None = Field(None, max_length=60)
    divisi: str | None = Field(None, max_length=120)
    jabatan: str | None = Field(None, max_length=120)
    insta: str | None = Field(None, max_length=100)
    tiktok: str | None = Field(None, max_length=100)
    whatsapp: str | None = Field(None, max_length=40)
    status: bool | None = None


# --------------------------------------------------------------------------- dashboard

class StatsData(BaseModel):
    client_id: str
    role: str | None
    scope: str
    regional_id: str | None
    periode: str
    start_date: str
    end_date: str
    clients: int
    users: int
    igPosts: int
    ttPosts: int


class StatsResponse(BaseModel):
    success: bool
    data: StatsData


# --------------------------------------------------------------------------- rekap

class RekapRow(BaseModel):
    user_id: str
    nama: str
    title: str | None
    divisi: str
    jabatan: str | None
    username: str
    client_id: str
    client_name: str
    nama_client: str
    exception: bool
    total_posts: int
    status: str = Field(description="sudah | kurang | belum | no_username | no_posts")
    jumlah_like: int | None = Field(None, description="Instagram rows")
    jumlah_komentar: int | None = Field(None, description="TikTok rows")


class Distribution(BaseModel):
    sudah: int
    kurang: int
    belum: int
    noUsername: int
    noPosts: int


class RekapSummary(BaseModel):
    totalPosts: int
    totalUsers: int
    totalLikes: int | None = None
    totalComments: int | None = None
    distribution: Distribution
    figures: dict[str, float | int | None] = Field(
        description="every group figure of the attendance definitions by its key (tasks, personnel, sudah, lengkap, "
                    "kurang, belum, tanpa_username, username_filled, tanpa_tugas, tasks_assigned, tasks_done, backlog, "
                    "capaian, lengkap_share); percentages null when there is nothing to divide by")


class RekapPost(BaseModel):
    id: str
    permalink: str
    url: str
    created_at: str
    caption: str | None
    like_count: int
    comment_count: int


class RekapResponse(BaseModel):
    success: bool
    platform: str
    client_id: str
    client_name: str
    scope: str
    periode: str
    start_date: str
    end_date: str
    period_label: str
    data: list[RekapRow]
    posts: list[RekapPost]
    totalPosts: int
    usersCount: int
    sudahUsersCount: int
    kurangUsersCount: int
    belumUsersCount: int
    noUsernameUsersCount: int
    summary: RekapSummary
    usersWithCommentsCount: int | None = Field(None, description="TikTok only")
    usersWithoutCommentsCount: int | None = Field(None, description="TikTok only")


# --------------------------------------------------------------------------- posts

class InstagramPost(BaseModel):
    id: str
    shortcode: str
    client_id: str
    caption: str | None
    created_at: str
    like_count: int
    comment_count: int
    recorded_likes: int
    is_video: bool
    is_carousel: bool
    thumbnail_url: str | None
    permalink: str
    url: str


class InstagramPostsResponse(BaseModel):
    success: bool
    start_date: str
    end_date: str
    data: list[InstagramPost]


class TiktokPost(BaseModel):
    id: str
    video_id: str
    client_id: str
    caption: str | None
    desc: str | None
    created_at: str
    like_count: int
    digg_count: int
    comment_count: int
    recorded_comments: int
    share_count: int
    view_count: int
    thumbnail: str | None
    share_url: str
    url: str


class TiktokPostsResponse(BaseModel):
    success: bool
    start_date: str
    end_date: str
    data: list[TiktokPost]


# --------------------------------------------------------------------------- health

class HealthComponent(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: str


class HealthResponse(BaseModel):
    success: bool = Field(description="false only when the database does not answer")
    status: str = Field(description="ok | degraded (a component is down, logged out or degraded)")
    problems: list[str] = Field(default_factory=list, description="the components that make it degraded")
    time: str
    components: dict[str, HealthComponent]
