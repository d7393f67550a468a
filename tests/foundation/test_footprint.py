"""comradarr/footprint.py: reading smaps_rollup, naming the processes, the command and the page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from comradarr import footprint

ROLLUP = """\
55dc67014000-7ffcefd2f000 ---p 00000000 00:00 0                          [rollup]
Rss:               93524 kB
Pss:               71013 kB
Pss_Dirty:         60000 kB
Shared_Clean:       1572 kB
Private_Dirty:       112 kB
SomethingNew:         12 pages
Broken line without a colon
Swap:                  0 kB
"""


def test_parse_smaps_rollup_reads_sizes_in_bytes_and_skips_the_rest():
    sizes = footprint.parse_smaps_rollup(ROLLUP)
    assert sizes["Rss"] == 93524 * 1024
    assert sizes["Pss"] == 71013 * 1024
    assert sizes["Swap"] == 0
    assert "SomethingNew" not in sizes  # not in kB
    assert not any(key.startswith("55dc") for key in sizes)


@pytest.mark.parametrize("text", ["", "garbage\n", "Rss: 12 kB\n", "Pss: x kB\nRss: 1 kB\n"])
def test_parse_incomplete_rollup_gives_no_memory(tmp_path, text):
    (tmp_path / "4242").mkdir()
    (tmp_path / "4242" / "smaps_rollup").write_text(text)
    assert footprint.read_memory(4242, proc=tmp_path) is None


def test_read_memory_from_a_proc_tree(tmp_path):
    (tmp_path / "7").mkdir()
    (tmp_path / "7" / "smaps_rollup").write_text(ROLLUP)
    assert footprint.read_memory(7, proc=tmp_path) == (93524 * 1024, 71013 * 1024)
    assert footprint.read_memory(8, proc=tmp_path) is None  # no such process


def test_read_memory_of_this_process_is_plausible():
    rss, pss = footprint.read_memory(os.getpid())
    assert 0 < pss <= rss
    assert abs(rss - psutil.Process().memory_info().rss) < 50 * 1024 * 1024


def test_footprint_sums_and_reports_unreadable_pss():
    result = footprint.Footprint(
        processes=(
            footprint.ProcessMemory(pid=1, role="serve", rss=100, pss=60),
            footprint.ProcessMemory(pid=2, role="postgres connection", rss=50, pss=None),
        )
    )
    assert (result.rss_total, result.pss_total, result.pss_complete) == (150, 60, False)
    assert result.as_dict()["count"] == 2


def _python(*code: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", *code], **kwargs)


def test_is_serve_reads_the_command_line(tmp_path):
    fake = tmp_path / "manage.py"
    fake.write_text("import time, sys\ntime.sleep(30)\n")
    serve = subprocess.Popen([sys.executable, str(fake), "serve"])
    other = subprocess.Popen([sys.executable, str(fake), "qcluster"])
    try:
        assert footprint.is_serve(psutil.Process(serve.pid))
        assert not footprint.is_serve(psutil.Process(other.pid))
        assert not footprint.is_serve(psutil.Process())
    finally:
        for process in (serve, other):
            process.kill()
            process.wait()


def test_a_fake_serve_tree_is_measured_with_roles(tmp_path):
    """serve -> gunicorn master -> worker, and serve -> qcluster -> sentinel -> worker."""
    (tmp_path / "manage.py").write_text(
        "import subprocess, sys, time\n"
        "if sys.argv[1] == 'serve':\n"
        "    subprocess.Popen([sys.executable, sys.argv[0], 'qcluster'])\n"
        "    subprocess.Popen([sys.executable, '-c', 'import subprocess, sys, time; "
        'subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "gunicorn"]); '
        "time.sleep(30)', 'gunicorn'])\n"
        "elif sys.argv[1] == 'qcluster' and len(sys.argv) < 4:\n"
        "    subprocess.Popen([sys.executable, sys.argv[0], 'qcluster', *(['x'] * (len(sys.argv) - 1))])\n"
        "time.sleep(30)\n"
    )
    serve = subprocess.Popen([sys.executable, str(tmp_path / "manage.py"), "serve"])
    try:
        parent = psutil.Process(serve.pid)
        for _ in range(100):
            if len(parent.children(recursive=True)) >= 5:
                break
            psutil.wait_procs([], timeout=0.05)
        result = footprint.install_footprint(None, serve_pid=serve.pid)
        roles = sorted(row.role for row in result.processes)
        assert roles == [
            "django-q2 cluster",
            "django-q2 sentinel",
            "django-q2 worker/monitor/pusher",
            "gunicorn master",
            "gunicorn worker",
            "serve",
        ]
        assert result.pss_complete and result.pss_total > 0
        assert result.rss_total >= result.pss_total
    finally:
        for child in psutil.Process(serve.pid).children(recursive=True):
            child.kill()
        serve.kill()
        serve.wait()


def test_command_without_a_running_install_says_so(monkeypatch):
    monkeypatch.setattr(footprint, "settings_cluster_dir", lambda: None)
    with pytest.raises(CommandError, match="no running install found"):
        call_command("footprint")


@pytest.mark.parametrize("pid", ["1", str(2**31 - 1), "-5"])
def test_command_refuses_a_pid_that_is_not_serve(pid):
    with pytest.raises(CommandError, match=r"--pid"):
        call_command("footprint", "--pid", pid)


def test_command_measures_a_named_serve_as_json(tmp_path, capsys):
    fake = tmp_path / "manage.py"
    fake.write_text("import time\ntime.sleep(30)\n")
    serve = subprocess.Popen([sys.executable, str(fake), "serve"])
    try:
        psutil.wait_procs([], timeout=0.3)
        call_command("footprint", "--json", "--pid", str(serve.pid))
        report = json.loads(capsys.readouterr().out)
        assert serve.pid in [row["pid"] for row in report["processes"]]
        assert report["pss_total"] == sum(row["pss"] for row in report["processes"])
        call_command("footprint", "--pid", str(serve.pid))
        text = capsys.readouterr().out
        assert "serve" in text and "total" in text and "MB" in text
    finally:
        serve.kill()
        serve.wait()


@pytest.mark.django_db
def test_memory_page_needs_sign_in_and_shows_the_table(client, django_user_model):
    url = reverse("memory")
    assert client.get(url).status_code == 302
    user = django_user_model.objects.create_user("memo", password="a-long-password-1")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    # Under the test runner there is no serve: the embedded PostgreSQL alone, or nothing.
    body = response.content.decode()
    assert 'id="memory"' in body
    assert ('id="pss-total"' in body) or ('id="memory-none"' in body)
    # Signed-in users reach it from the Settings page.
    settings_page = client.get(reverse("settings")).content.decode()
    assert f'href="{url}"' in settings_page


def test_postgres_titles_name_their_role(db):
    postmaster = footprint.embedded_db.running_postmaster(
        Path(footprint.settings_cluster_dir() or "/nonexistent")
    )
    if postmaster is None:
        pytest.skip("the suite runs on an external PostgreSQL")
    result = footprint.install_footprint(footprint.settings_cluster_dir())
    roles = {row.role for row in result.processes}
    assert "postgres postmaster" in roles
    assert "postgres checkpointer" in roles
    assert "postgres connection" in roles  # this test's own connection
