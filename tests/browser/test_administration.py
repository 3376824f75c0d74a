"""An administrator in Chromium: promotes a listener to editor, assigns two scholars, suspends
another account whose open session stops at its next click, reads the audit trail of it all,
and sees the last 30 days of the demo's listening."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.test_listening import _sign_in, _until

ADMIN = ("admin@durus.example", "durus-admin-demo")
MARYAM = ("maryam@durus.example", "durus-maryam-demo")
HAMZA = ("hamza@durus.example", "durus-hamza-demo")
SCHOLARS = ["Ustadh Dawud Clarke", "Shaykh Yūsuf ibn Aḥmad al-Hāshimī"]


def _open_account(admin: Any, base: str, search: str, name: str) -> None:
    admin.goto(f"{base}/admin/users")
    admin.get_by_label("Search by name or email").fill(search)
    admin.get_by_role("button", name="Show").click()
    admin.locator("#content").get_by_role("link", name=name).click()
    admin.wait_for_url(re.compile(r"/admin/users/[0-9a-f-]+$"))


def test_administrator_manages_accounts_and_reads_the_trail(
    live_server: str, new_page: Any
) -> None:
    hamza = new_page()
    _sign_in(hamza, live_server, HAMZA)

    admin = new_page()
    _sign_in(admin, live_server, ADMIN)
    admin.get_by_role("link", name="Admin", exact=True).click()
    admin.wait_for_url(re.compile(r"/admin/?$"))

    # Promote Maryam to editor and give her two scholars (htmx, no reload).
    _open_account(admin, live_server, "maryam", "Maryam Siddiqui")
    account_url = admin.url
    admin.get_by_role("combobox", name="Role").select_option("editor")
    admin.get_by_role("button", name="Change role").click()
    _until(admin, "document.body.textContent.includes('is now an editor')")
    admin.evaluate("document.body.dataset.unchanged = 'yes'")
    for scholar in SCHOLARS:
        admin.locator("#scopes").get_by_label("Scholar").select_option(label=scholar)
        admin.locator("#scopes").get_by_role("button", name="Assign").click()
        _until(admin, f"document.querySelector('#scopes').textContent.includes('Added {scholar}')")
    assert admin.url == account_url
    assert admin.evaluate("document.body.dataset.unchanged") == "yes"  # swapped in place
    assert admin.locator("#scopes .scope-list li").count() == 2

    maryam = new_page()
    _sign_in(maryam, live_server, MARYAM)
    maryam.get_by_role("link", name="Workspace").click()
    maryam.wait_for_url(re.compile(r"/editorial$"))
    for scholar in SCHOLARS:
        assert maryam.locator("#content").get_by_role("link", name=scholar).count() == 1

    # Suspend Hamza: a confirmation first, then his open session ends at his next click.
    _open_account(admin, live_server, "hamza", "Hamza Idris")
    admin.get_by_label("Reason").fill("Shared his account publicly")
    admin.get_by_role("button", name="Suspend").click()
    admin.get_by_role("button", name="Yes, go ahead").click()
    _until(admin, "document.body.textContent.includes('is now suspended')")
    hamza.get_by_role("link", name="Scholars", exact=True).click()
    _until(hamza, "document.body.textContent.includes('Sign in')")
    assert hamza.get_by_role("link", name="Library").count() == 0
    hamza.goto(f"{live_server}/library")
    hamza.wait_for_url(re.compile(r"/auth/sign-in"))

    # The only administrator cannot demote themself: the refusal is shown, nothing changes.
    _open_account(admin, live_server, "admin@durus", "Demo Administrator")
    admin.get_by_role("combobox", name="Role").select_option("listener")
    admin.get_by_role("button", name="Change role").click()
    admin.get_by_role("button", name="Yes, go ahead").click()
    _until(admin, "document.body.textContent.includes('cannot be demoted')")
    assert admin.get_by_role("link", name="Admin", exact=True).count() == 1

    # The audit trail shows each step, with the reason.
    admin.get_by_role("link", name="Audit log").click()
    admin.wait_for_url(re.compile(r"/admin/audit"))
    trail = admin.locator("#content").inner_text()
    for words in ("user.role_changed", "user.scope_added", "user.suspended"):
        assert words in trail, words
    assert "Shared his account publicly" in trail
    assert trail.count("user.scope_added") == 2

    # Listening insights over the demo's month of analytics.
    admin.get_by_role("link", name="Listening insights").click()
    admin.wait_for_url(re.compile(r"/admin/insights"))
    charts = admin.locator("#content svg[role='img']")
    assert charts.count() >= 4
    assert "no analytics data yet" not in admin.locator("#content").inner_text().lower()
