"""Logout after inactivity without writing the session on every page view.

Django's ``SESSION_SAVE_EVERY_REQUEST`` pushes the expiry back on each request by saving the session:
a database write and commit per page view, which on SQLite also takes the database's write lock. Here
a signed-in session is saved only when its last save is ``REFRESH_SECONDS`` old, so it still ends
``SESSION_COOKIE_AGE`` after the last request, give or take those few minutes."""

import time

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

REFRESH_SECONDS = 5 * 60
SEEN = "_seen"  # when the session's expiry was last pushed back (epoch seconds)


class SlidingSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:  # signed in (no session is made for anonymous visitors)
            now = int(time.time())
            if now - session.get(SEEN, 0) >= REFRESH_SECONDS:
                session[SEEN] = now  # modified: saved with a new expiry and cookie
        return self.get_response(request)


@receiver(user_logged_in)
def _seen_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SEEN] = int(time.time())
