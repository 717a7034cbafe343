"""`make crawl`: seed a portal at volume, crawl it as each role in each
language and print figures (not part of .ci/run; nothing is asserted).

scripts/bench.sh prepares the bench database, Solr core and Redis db, then
runs this script, which:

1. seeds 500 challenges and 2,000 projects (scripts/bench/seed_portal.py:
   a few records through the actions, the others bulk copies of them), an
   organizer, a juror, a team and 100 ideas in one challenge (through the
   actions);
2. for each role (anonymous, organizer, team member, juror) and language
   (en, es, pt_BR), starts from every GET route of the plugin's blueprints
   (built with the seeded names) and follows the links of the plugin's pages,
   and one hop into core's (a core page is visited, its links are not
   followed); URLs are deduplicated by route pattern and parameter names, at
   most ``CRAWL_K`` (default 3) a pattern; logout, follow/unfollow and delete
   links are never followed; a signed-in role's every page is checked to
   still show its logout link;
3. prints the count of pages per route pattern x role x language, every
   answer >= 500, every plugin GET route pattern with no hit and every page
   where a signed-in role found itself signed out.

The pages are requested in process through CKAN's Flask app (as the test
suite does), so the figures do not depend on a server's workers.
"""

from __future__ import annotations

import collections
import os
import re
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent / "bench"))

import common
import seed_portal

K = int(os.environ.get("CRAWL_K", "3"))
# crawl for at most this many seconds, shared equally by each role x language,
# and print what was seen (0: no limit)
MAX_SECONDS = float(os.environ.get("CRAWL_MAX_SECONDS", "0"))
SMALL = os.environ.get("CRAWL_SMALL") == "1"
LOCALES = ("", "/es", "/pt_BR")
ROLES = ("anonymous", "organizer", "member", "juror")
PLUGIN_BLUEPRINTS = (
    "challenge",
    "datathon_team",
    "datathon_jury",
    "datathon_ideas",
    "datathon_engagement",
    "datathon_open",
)
NEVER = re.compile(r"logout|/follow|/unfollow|delete|purge|/_logout|/user/_logout", re.I)
SKIP = re.compile(r"^/(webassets|base|images|fanstatic|api/i18n)/|\.(css|js|png|svg|ico)$")
PASSWORD = "Crawl-Password-2026"
HREF = re.compile(r'href="([^"#]*)')


def seed() -> dict[str, Any]:
    import ckan.model as model
    from ckan.tests import factories, helpers

    scale = seed_portal.Scale(
        datasets=60 if SMALL else 600,
        challenges=50 if SMALL else 500,
        projects=200 if SMALL else 2000,
        list_challenges=50 if SMALL else 500,
        linked=20 if SMALL else 200,
        big_projects=20 if SMALL else 100,
        jurors=3,
        criteria=3,
    )
    names = seed_portal.seed(scale)
    big = helpers.call_action("challenge_show", id=names["challenge"])
    org_id = big["owner_org"]
    organizer = factories.User(name="crawl-organizer", password=PASSWORD)
    helpers.call_action(
        "organization_member_create", id=org_id, username=organizer["name"], role="admin"
    )
    # a team member on one team (the seeder's template leader is on every cloned
    # team: thousands of permission labels, more than Solr's boolean clause limit)
    member = factories.User(name="crawl-member", password=PASSWORD)
    helpers.call_action(
        "project_register",
        context={"user": member["name"]},
        challenge=big["id"],
        title="Crawl team project",
        team_name="Crawlers",
        accept_rules=True,
    )
    juror = model.User.get("bench-juror-00")
    juror.password = PASSWORD
    model.Session.commit()
    # 100 ideas in the big challenge, by 10 people
    authors = [factories.User(name=f"crawl-author-{i}") for i in range(10)]
    for i in range(100):
        helpers.call_action(
            "challenge_idea_create",
            context={"user": authors[i % 10]["name"]},
            challenge=big["id"],
            title=f"Idea {i:03d} about lighting and stops",
            description="Cross ridership with incident reports.",
        )
    project = helpers.call_action(
        "package_search", fq="+dataset_type:project", rows=1, include_private=True
    )
    return {
        "challenge": names["challenge"],
        "dataset": names["dataset"],
        "org": names["org"],
        "project": project["results"][0]["name"] if project["results"] else "",
        "users": {
            "organizer": organizer["name"],
            "member": member["name"],
            "juror": juror.name,
        },
    }


class Role:
    def __init__(self, app: Any, name: str, user: str | None) -> None:
        self.name = name
        self.client = app.test_client()
        self.user = user
        if user:
            page = self.client.get("/user/login").get_data(as_text=True)
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
            data = {"login": user, "password": PASSWORD}
            if token:
                data["_csrf_token"] = token.group(1)
            answer = self.client.post("/user/login", data=data)
            assert answer.status_code == 302, f"login of {user}: {answer.status_code}"

    def signed_in(self, html: str) -> bool:
        return "_logout" in html or "/user/logout" in html


def _pattern(adapter: Any, path: str) -> tuple[str, str] | None:
    """(endpoint, rule) of a path, or None when no route matches."""
    try:
        rule, _args = adapter.match(path, method="GET", return_rule=True)
    except Exception:
        return None
    return rule.endpoint, rule.rule


def crawl(flask_app: Any, names: dict[str, Any]) -> None:
    app = flask_app
    adapter = flask_app.url_map.bind("localhost")
    plugin_rules = sorted(
        {
            rule.rule: rule
            for rule in flask_app.url_map.iter_rules()
            if rule.endpoint.split(".")[0] in PLUGIN_BLUEPRINTS and "GET" in rule.methods
        }.values(),
        key=lambda rule: rule.rule,
    )
    values = {
        "name": names["challenge"],
        "id": names["project"],
        "challenge": names["challenge"],
    }
    starts = []
    for rule in plugin_rules:
        args = {arg: values.get(arg, names["dataset"]) for arg in rule.arguments}
        if "/dataset/" in rule.rule:
            args = dict.fromkeys(rule.arguments, names["dataset"])
        try:
            starts.append(adapter.build(rule.endpoint, args, force_external=False))
        except Exception as error:
            print(f"crawl: cannot build {rule.rule}: {error}", file=sys.stderr)

    counts: dict[tuple[str, str, str], int] = collections.Counter()
    errors: list[str] = []
    signed_out: list[str] = []
    hits_by_rule: dict[str, int] = collections.Counter()
    started = time.monotonic()
    total = 0
    stopped = False
    for role_name in ROLES:
        user = None if role_name == "anonymous" else names["users"][role_name]
        role = Role(app, role_name, user)  # signed in once, for every language
        for locale in LOCALES:
            seen_keys: dict[tuple[str, tuple[str, ...]], int] = collections.Counter()
            visited: set[str] = set()
            queue = collections.deque((locale + path, True) for path in starts)
            share_started = time.monotonic()
            share = MAX_SECONDS / (len(ROLES) * len(LOCALES))
            while queue:
                if MAX_SECONDS and time.monotonic() - share_started > share:
                    stopped = True
                    break
                url, follow = queue.popleft()
                if url in visited:
                    continue
                visited.add(url)
                parts = urlsplit(url)
                path = parts.path
                bare = path[len(locale) :] if locale and path.startswith(locale + "/") else path
                if locale and path == locale:
                    bare = "/"
                found = _pattern(adapter, bare or "/")
                if found is None:
                    continue
                endpoint, rule = found
                plugin = endpoint.split(".")[0] in PLUGIN_BLUEPRINTS
                key = (rule, tuple(sorted({k for k, _v in parse_qsl(parts.query)})))
                if seen_keys[key] >= K:
                    continue
                seen_keys[key] += 1
                answer = role.client.get(url)
                body = answer.get_data()  # read streamed answers (CSV) to their end
                answer.close()
                total += 1
                counts[(rule, role_name, locale or "en")] += 1
                hits_by_rule[rule] += 1
                status = answer.status_code
                if status >= 500:
                    errors.append(f"{status} {role_name} {url}")
                if status != 200 or "html" not in (answer.mimetype or ""):
                    continue
                html = body.decode("utf-8", "replace")
                if user and not role.signed_in(html):
                    signed_out.append(f"{role_name} {url}")
                if not (follow and plugin):
                    continue  # one hop into core: its links are not followed
                for href in HREF.findall(html):
                    href = href.replace("&amp;", "&")
                    target = urlsplit(href)
                    if target.netloc and target.netloc not in ("localhost", "127.0.0.1"):
                        site = urlsplit(os.environ.get("CKAN_SITE_URL", "http://localhost")).netloc
                        if target.netloc != site:
                            continue
                    if not target.path.startswith("/") or SKIP.search(target.path):
                        continue
                    if NEVER.search(target.path):
                        continue
                    link = target.path + (f"?{target.query}" if target.query else "")
                    if link not in visited:
                        queue.append((link, True))
            print(
                f"crawl: {role_name} {locale or 'en'}: {len(visited)} URLs seen, "
                f"{total} pages so far, {time.monotonic() - started:.0f} s",
                flush=True,
            )
    elapsed = time.monotonic() - started

    rules = sorted({rule for rule, _role, _locale in counts})
    header = (
        "route pattern",
        *[f"{r[:5]}/{loc or 'en'}" for r in ROLES for loc in ("en", "es", "pt_BR")],
    )
    rows = []
    for rule in rules:
        row = [rule]
        for role_name in ROLES:
            for locale in ("en", "/es", "/pt_BR"):
                row.append(str(counts.get((rule, role_name, locale), 0)))
        rows.append(tuple(row))
    common.print_table(f"crawl: pages per route pattern x role x language (K={K})", rows, header)
    missing = [rule.rule for rule in plugin_rules if hits_by_rule.get(rule.rule, 0) == 0]
    print(f"\n{total} pages in {elapsed:.0f} s; {len(rules)} route patterns")
    if stopped:
        print(f"STOPPED after CRAWL_MAX_SECONDS={MAX_SECONDS:.0f}: the figures are partial")
    print(f"answers >= 500: {len(errors)}")
    for line in errors[:50]:
        print(f"  {line}")
    print(f"plugin GET route patterns with no hit: {len(missing)}")
    for rule in missing:
        print(f"  {rule}")
    print(f"pages where a signed-in role was signed out: {len(signed_out)}")
    for line in signed_out[:20]:
        print(f"  {line}")


def main() -> None:
    flask_app = common.load_app()._wsgi_app
    started = time.monotonic()
    with flask_app.test_request_context():
        names = seed()
    print(f"crawl: seeded in {time.monotonic() - started:.0f} s: {names}")
    crawl(flask_app, names)


if __name__ == "__main__":
    main()
