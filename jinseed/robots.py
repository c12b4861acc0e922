"""``/robots.txt``: what search engines may index — the public pages, nothing about people.

Constant text from a plain view: also the benchmarks' reference of a request that does
nothing but pass through the middleware (``manage.py bench_http``).
"""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

ROBOTS_TXT = """\
User-agent: *
Disallow: /accounts/
Disallow: /admin/
Disallow: /my/
Disallow: /unit/
Disallow: /office/
Disallow: /selection/
Disallow: /placements/
Disallow: /notifications/
Disallow: /jobs/
Disallow: /verify/
Allow: /
"""


@require_GET
def robots_txt(request):
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")
