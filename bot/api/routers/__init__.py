"""One router per resource: auth, clients, users, dashboard, insta, tiktok, health."""
