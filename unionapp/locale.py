"""Vietnamese first: the interface speaks Vietnamese unless the user chose English."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstMiddleware(LocaleMiddleware):
    """The language the user chose with the selector (Django's language cookie), else Vietnamese.
    The browser's own language is not asked: many offices' computers and phones are set to English,
    and the people using them read Vietnamese first."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        translation.activate(chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
