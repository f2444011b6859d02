"""A creation form saved once.

A secretary on a weak connection taps "Lưu", the answer is lost, and the phone sends the form again (or
they reload and the browser resends it). Each such form carries a token (``{% submission_field %}``);
the first post that saves records it with a hash of what was sent, in the same transaction as what it
saved, and every later post of the same form with the same content (one racing the first included) leads
to what was saved, with a message, instead of making a second member or referral. The same page sent with
other values (back to the form, another person typed in, sent) is a new post. Without a token (a script)
the view saves as before.
"""

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import TypeVar

from django.contrib import messages
from django.db import models, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from unionapp.models import FormSubmission

FIELD = "submission"
TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP = timedelta(days=2)
M = TypeVar("M", bound=models.Model)


class AlreadySaved(Exception):  # noqa: N818 - a state, not a failure
    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def posted_token(request) -> str:
    token = request.POST.get(FIELD, "")
    return token if TOKEN.fullmatch(token) else ""


def token(request) -> str:
    """The token for the form on this page: the posted one when the form is shown again after an error
    (nothing was saved), a new one otherwise."""
    return posted_token(request) or uuid.uuid4().hex


def digest(request) -> str:
    """What was sent, as a hash: every field but the CSRF token (masked anew on each page)."""
    sent = sorted((k, v) for k in request.POST if k != "csrfmiddlewaretoken" for v in request.POST.getlist(k))
    return hashlib.sha256(json.dumps(sent, ensure_ascii=False).encode()).hexdigest()


def saved_url(request) -> str | None:
    """Where this user's earlier post of the same form, with the same content, led."""
    token = posted_token(request)
    if not token:
        return None
    earlier = FormSubmission.objects.filter(token=token, digest=digest(request), user=request.user)
    return earlier.values_list("url", flat=True).first()


def save_once(
    request, save: Callable[[], M], url: Callable[[M], str | None] = lambda saved: saved.get_absolute_url()
) -> M:
    """``save()`` and the record of the form's token, in one transaction; a later post of the form leads to
    ``url(saved)`` (nothing is recorded when it is None: nothing was saved). When the same form was saved by a
    post racing this one, this one's work is undone and ``AlreadySaved`` raised (``once`` answers it)."""
    token = posted_token(request)
    if not token:
        return save()
    try:
        with transaction.atomic():
            saved = save()
            if where := url(saved):
                FormSubmission.objects.create(token=token, digest=digest(request), user=request.user, url=where)
    except Exception:
        # The other post's unique token (or citizen ID) stopped this one once the other had committed.
        if earlier := saved_url(request):
            raise AlreadySaved(earlier) from None
        raise
    FormSubmission.objects.filter(at__lt=timezone.now() - KEEP).delete()
    return saved


def once(view):
    """For a view whose form acts (creates, changes, deletes): a post of a form already acted on leads to where
    the first post led."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            if request.method == "POST" and (url := saved_url(request)):
                raise AlreadySaved(url)
            response = view(request, *args, **kwargs)
            if request.method == "POST" and response.status_code == 200 and (url := saved_url(request)):
                # This post saved nothing and shows the form again (a refusal, choices gone): the same form, sent
                # at the same moment, was saved first.
                raise AlreadySaved(url)
            return response
        except AlreadySaved as e:
            messages.info(request, _("Việc này đã được thực hiện ở lần gửi trước; không thực hiện thêm lần nữa."))
            return redirect(e.url)

    return wrapped
