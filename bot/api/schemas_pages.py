"""Request bodies and response shapes of the dashboard pages' endpoints (home, post pages, roles,
executive summary, Anev, accounts, complaints). The fields are the ones the dashboard reads
(Cicero_Web `cicero-dashboard/`), documented in OpenAPI at /docs.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.api.schemas import ClientProfile, UserRow, _Body


class MessageResponse(BaseModel):
    success: bool
    message: str


# --------------------------------------------------------------------------- home and post pages

class InstagramProfile(BaseModel):
    username: str
    full_name: str | None
    followers: int | None
    follower_count: int | None
    following: int | None
    following_count: int | None
    post_count: int | None
    media_count: int | None
    bio: str | None
    biography: str | None
    profile_pic_url: str | None
    profile_pic_url_hd: str | None
    client_id: str
    fetched_at: str | None = Field(description="when Cicero stored these figures; null: never fetched")


class TiktokUser(BaseModel):
    uniqueId: str
    nickname: str | None
    signature: str | None
    avatarLarger: str | None
    avatarMedium: str | None


class TiktokStats(BaseModel):
    followerCount: int | None
    followingCount: int | None
    videoCount: int | None


class TiktokUserInfo(BaseModel):
    user: TiktokUser
    stats: TiktokStats


class TiktokProfile(BaseModel):
    username: str
    nickname: str | None
    full_name: str | None
    followers: int | None
    follower_count: int | None
    following: int | None
    following_count: int | None
    video_count: int | None
    bio: str | None
    signature: str | None
    avatar: str | None
    avatar_url: str | None
    userInfo: TiktokUserInfo
    client_id: str
    fetched_at: str | None


class InstagramPagePost(BaseModel):
    id: str
    shortcode: str
    client_id: str
    created_at: str
    type: str = Field(description="image | video | carousel")
    media_type: str
    is_video: bool
    caption: str | None
    like_count: int
    comment_count: int
    share_count: int
    view_count: int
    recorded_likes: int
    thumbnail: str | None
    thumbnail_url: str | None
    image_url: str | None
    permalink: str
    url: str


class TiktokPostStats(BaseModel):
    diggCount: int
    commentCount: int
    shareCount: int
    playCount: int


class TiktokPageVideo(BaseModel):
    cover: str | None


class TiktokPagePost(BaseModel):
    id: str
    video_id: str
    aweme_id: str
    client_id: str
    created_at: str
    createTime: int = Field(description="epoch seconds")
    type: str
    caption: str | None
    desc: str | None
    like_count: int
    digg_count: int
    comment_count: int
    share_count: int
    view_count: int
    play_count: int
    recorded_comments: int
    thumbnail: str | None
    cover: str | None
    thumbnail_url: str | None
    stats: TiktokPostStats
    video: TiktokPageVideo
    share_url: str
    url: str


class TaskLinks(BaseModel):
    instagram: list[str]
    tiktok: list[str]


class AggregatorData(BaseModel):
    client_id: str
    client_name: str
    periode: str
    start_date: str
    end_date: str
    igProfile: InstagramProfile | None
    tiktokProfile: TiktokProfile | None
    igPosts: list[InstagramPagePost]
    tiktokPosts: list[TiktokPagePost]
    taskLinksToday: TaskLinks


class AggregatorResponse(BaseModel):
    success: bool
    data: AggregatorData


class InstagramProfileResponse(BaseModel):
    success: bool
    data: InstagramProfile


class InstagramInfo(BaseModel):
    username: str
    full_name: str | None
    media_count: int | None
    post_count: int | None
    follower_count: int | None
    following_count: int | None
    biography: str | None
    external_url: str
    bio_links: list[dict]
    client_id: str
    fetched_at: str | None


class InstagramInfoResponse(BaseModel):
    success: bool
    data: InstagramInfo


class TiktokProfileResponse(BaseModel):
    success: bool
    data: TiktokProfile


class InstagramPagePostsResponse(BaseModel):
    success: bool
    client_id: str
    start_date: str | None
    end_date: str | None
    data: list[InstagramPagePost]


class TiktokPagePostsResponse(BaseModel):
    success: bool
    client_id: str
    start_date: str | None
    end_date: str | None
    data: list[TiktokPagePost]


# --------------------------------------------------------------------------- roles

class RolesBody(_Body):
    roles: list[str] = Field(max_length=20, description="role names: operator, ditbinmas, ditlantas, …")


class RenameBody(_Body):
    old_user_id: str = Field(min_length=1, max_length=30)
    new_user_id: str = Field(min_length=1, max_length=30)


class UserChangeResponse(BaseModel):
    success: bool
    message: str
    data: UserRow


# --------------------------------------------------------------------------- clients

class ActiveClientsResponse(BaseModel):
    success: bool
    data: list[ClientProfile]


class SummaryMetric(BaseModel):
    key: str
    label: str
    value: float | int | None
    suffix: str
    change: str


class ChannelEngagement(BaseModel):
    channel: str
    reach: int
    engagementRate: float | None = Field(description="capaian tugas of the channel (%)")
    posts: int
    likes: int
    comments: int
    tasksDone: int
    tasksAssigned: int


class ContentRow(BaseModel):
    id: str
    platform: str
    title: str
    format: str
    publishedAt: str
    likes: int
    comments: int
    totalInteractions: int
    permalink: str


class PlatformAnalytic(BaseModel):
    key: str
    label: str
    followers: int | None
    following: int | None
    posts: int
    likes: int
    comments: int
    personnel: int
    lengkap: int
    kurang: int
    belum: int
    tanpa_username: int
    tasks_done: int
    tasks_assigned: int
    capaian: float | None


class PlatformAnalytics(BaseModel):
    platforms: list[PlatformAnalytic]


class UnitScore(BaseModel):
    name: str
    client_id: str | None
    personnel: int
    capaian: float | None
    tasks_done: int
    tasks_assigned: int


class SummaryData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_id: str
    client_name: str
    monthKey: str
    monthLabel: str
    periode: str
    start_date: str
    end_date: str
    previous_start_date: str
    previous_end_date: str
    summaryMetrics: list[SummaryMetric]
    highlights: list[str]
    engagementByChannel: list[ChannelEngagement]
    audienceComposition: list[dict]
    contentTable: list[ContentRow]
    platformAnalytics: PlatformAnalytics
    units: list[UnitScore]
    overviewNarrative: str
    dashboardNarrative: str
    userInsightNarrative: str
    instagramNarrative: str
    tiktokNarrative: str
    user_count: int
    insta_post_count: int
    tiktok_post_count: int
    total_insta_likes: int
    total_tiktok_comments: int


class SummaryResponse(BaseModel):
    success: bool
    data: SummaryData


# --------------------------------------------------------------------------- accounts

class RegisterBody(_Body):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    confirmPassword: str | None = Field(None, max_length=200)
    whatsapp: str | None = Field(None, max_length=40, description="the applicant's WhatsApp number (required)")
    contact: str | None = Field(None, max_length=40, description="alias of whatsapp")
    role: str | None = Field(None, max_length=64, description="operator (default) or a directorate role")
    client_id: str | None = Field(None, max_length=64)
    client_ids: list[str] | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=200, description="accepted and ignored")


class RegisterData(BaseModel):
    registration_id: int
    dashboard_user_id: str
    username: str
    role: str
    client_ids: list[str]


class RegisterResponse(BaseModel):
    success: bool
    status: bool = Field(description="false: waiting for an admin's approval")
    message: str
    dashboard_user_id: str
    data: RegisterData


class ResetRequestBody(_Body):
    username: str = Field(min_length=1, max_length=64)
    contact: str = Field(min_length=1, max_length=40, description="the account's WhatsApp number, any format")


class ResetConfirmBody(_Body):
    token: str = Field(min_length=1, max_length=40, description="the code sent on WhatsApp, e.g. 42-583910")
    password: str = Field(min_length=1, max_length=200)
    confirmPassword: str | None = Field(None, max_length=200)
    password_confirmation: str | None = Field(None, max_length=200)


# --------------------------------------------------------------------------- complaints

class ComplaintBody(_Body):
    nrp: str | None = Field(None, max_length=30)
    user_id: str | None = Field(None, max_length=30, description="alias of nrp")
    username: str | None = Field(None, max_length=100)
    username_ig: str | None = Field(None, max_length=100)
    instagram: str | None = Field(None, max_length=100)
    username_tiktok: str | None = Field(None, max_length=100)
    tiktok: str | None = Field(None, max_length=100)
    client_id: str | None = Field(None, max_length=64)
    issue: str | None = Field(None, max_length=1000)
    nama: str | None = Field(None, max_length=200)


class ComplaintData(BaseModel):
    complaint_id: int
    platform: str
    nrp: str
    nama: str
    client_id: str
    username: str | None
    recorded: bool
    tasks: int
    done: int
    missing_links: list[str]
    last_fetched_at: str | None
    forwarded_to_operator: bool
    message: str


class ComplaintResponse(BaseModel):
    success: bool
    message: str
    data: ComplaintData

