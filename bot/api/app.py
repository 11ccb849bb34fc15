"""`create_app(deps)`: the FastAPI application with CORS, request limits, JSON errors and every router.

Middleware, outermost first: CORS (so even a refusal can be read by the
dashboard), then `RequestGuard` (`bot/api/limits.py`: client address, body and
query limits, security headers). Both wrap every router, including ones added later.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from bot.api.deps import ApiDeps
from bot.api.errors import install_error_handlers
from bot.api.limits import Limits, RequestGuard
from bot.api.routers import auth, clients, dashboard, health, social, users
from bot.api.routers import anev, client_pages, complaints, home, people_roles, post_pages, signup

CORS_HEADERS = ["Authorization", "Content-Type", "X-Cicero-Token", "X-Cicero-Reposter-Token", "X-Client-Id"]


def create_app(deps: ApiDeps) -> FastAPI:
    app = FastAPI(
        title="Cicero API",
        version="1.0",
        description="Read API for the Cicero_Web dashboard. Log in with `/api/auth/dashboard-login` or "
                    "`/api/auth/login`, then send `Authorization: Bearer <token>`. Times are Asia/Jakarta.",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.deps = deps
    app.add_middleware(RequestGuard, limits=Limits.from_settings(deps.settings.api))
    app.add_middleware(  # added last: the outermost layer
        CORSMiddleware,
        allow_origins=list(deps.settings.api.cors_origins),
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=CORS_HEADERS,
        max_age=600,
    )
    install_error_handlers(app, retry_after_seconds=deps.settings.api.retry_after_seconds)
    for router in (client_pages.router, home.router, post_pages.insta, post_pages.tiktok, people_roles.users,
                   people_roles.user_roles, anev.router, signup.router, complaints.router):  # pages, before clients
        app.include_router(router)
    for router in (auth.router, clients.router, users.router, dashboard.router, social.insta, social.instagram,
                   social.tiktok, health.router):
        app.include_router(router)
    return app
