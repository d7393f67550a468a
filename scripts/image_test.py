"""`make image-test`: build the Docker image and run it, without Docker.

There is no Docker engine in CI, but buildah (vfs storage, chroot isolation,
host network) builds the project's Dockerfile as root. The official python
base image cannot be pulled here, so a minimal Debian bookworm (python3,
python3-venv, ca-certificates) made by debootstrap stands in for it
(``--build-arg PYTHON_IMAGE``); it is cached in build/image-test/ (ignored by
git and by the image's build context). The machine's CA bundle is copied into
that base, and pip is pointed at it there (/etc/pip.conf), because package
downloads may pass a proxy with its own certificate authority; the Dockerfile
itself is unchanged, so a normal build behaves as before.

Then the image's own command runs as uid 1000: /health must answer 200 with the
embedded PostgreSQL in /data, and SIGTERM to ``serve`` must stop it and its
database cleanly (exit status 0, no postmaster.pid left behind).

Where buildah cannot run (not root, buildah or debootstrap missing) the test
is skipped with a message, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("IMAGE_TEST_CACHE", REPO / "build" / "image-test"))
ROOTFS = CACHE / "rootfs"
MIRROR = os.environ.get("IMAGE_TEST_MIRROR", "http://deb.debian.org/debian")
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
BASE_IMAGE = "localhost/comradarr-image-test-base:bookworm"
IMAGE = "localhost/comradarr:image-test"
START_TIMEOUT = 240  # first start: initdb and migrations on a slow, shared machine
STOP_TIMEOUT = 60
# buildah keeps its images under the cache too: `rm -rf build/image-test` undoes everything.
BUILDAH = [
    "buildah",
    "--root",
    str(CACHE / "storage"),
    "--runroot",
    str(CACHE / "run"),
    "--storage-driver",
    "vfs",
]


class Skip(Exception):
    """buildah cannot run here."""


def step(message: str) -> None:
    print(f"image-test: {message}", flush=True)


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), check=True, **kwargs)


def buildah(*args: str, capture: bool = False) -> str:
    result = run(*BUILDAH, *args, text=True, stdout=subprocess.PIPE if capture else None)
    return (result.stdout or "").strip()


def preflight() -> None:
    if not sys.platform.startswith("linux"):
        raise Skip("buildah needs Linux")
    if os.geteuid() != 0:
        raise Skip("needs root (buildah with vfs storage and chroot isolation)")
    missing = [tool for tool in ("buildah", "debootstrap") if shutil.which(tool) is None]
    if missing:
        raise Skip(f"{' and '.join(missing)} not installed (apt-get install buildah debootstrap)")


def make_rootfs() -> None:
    """A minimal bookworm with Python, made once and reused (about a minute)."""
    if (ROOTFS / "usr" / "bin" / "python3").exists():
        step(f"base system cached in {ROOTFS}")
        return
    partial = ROOTFS.with_name("rootfs.partial")
    shutil.rmtree(partial, ignore_errors=True)
    step("debootstrap a minimal bookworm (python3, python3-venv, ca-certificates)")
    partial.parent.mkdir(parents=True, exist_ok=True)
    run(
        "debootstrap",
        "--variant=minbase",
        "--include=python3,python3-venv,ca-certificates",
        "bookworm",
        str(partial),
        MIRROR,
    )
    partial.rename(ROOTFS)


def prepare_rootfs() -> None:
    """What the official image has and Debian's lacks, plus this machine's trust."""
    python = ROOTFS / "usr" / "local" / "bin" / "python"
    python.parent.mkdir(parents=True, exist_ok=True)
    if not python.is_symlink():
        python.symlink_to("/usr/bin/python3")
    if HOST_CA.exists():
        shutil.copyfile(HOST_CA, ROOTFS / "etc" / "ssl" / "certs" / "ca-certificates.crt")
    # pip trusts its own certifi bundle, not the system's: point it at the one above.
    (ROOTFS / "etc" / "pip.conf").write_text(
        "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n"
    )
    # apt's leftovers are not needed in an image.
    shutil.rmtree(ROOTFS / "var" / "cache" / "apt" / "archives", ignore_errors=True)


def commit_base() -> None:
    step(f"commit the base system as {BASE_IMAGE}")
    container = buildah("from", "scratch", capture=True)
    try:
        mount = Path(buildah("mount", container, capture=True))
        run("cp", "-a", f"{ROOTFS}/.", str(mount))
        buildah("umount", container)
        buildah(
            "config",
            "--env",
            "PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin",
            "--env",
            "LANG=C.UTF-8",
            "--cmd",
            "python3",
            container,
        )
        buildah("commit", "--quiet", "--rm", container, BASE_IMAGE)
    except BaseException:
        subprocess.run([*BUILDAH, "rm", container], check=False)
        raise


def build_image() -> None:
    step(f"buildah bud the Dockerfile as {IMAGE}")
    buildah(
        "bud",
        "--isolation",
        "chroot",
        "--network",
        "host",
        "--pull=never",
        "--format",
        "docker",  # keeps the HEALTHCHECK (the OCI format has none)
        "--build-arg",
        f"PYTHON_IMAGE={BASE_IMAGE}",
        "--tag",
        IMAGE,
        "--file",
        str(REPO / "Dockerfile"),
        str(REPO),
    )


def prune() -> None:
    """The image of the previous run, untagged by this build, goes (vfs keeps full copies)."""
    subprocess.run([*BUILDAH, "rmi", "--prune"], check=False, capture_output=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health_status(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def descendants(pid: int) -> dict[int, str]:
    """pid -> command line of every process below ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
        commands[int(entry.name)] = cmdline.strip()
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = commands.get(child, "")
            todo.append(child)
    return found


def run_image() -> None:
    """serve as uid 1000: /health 200, then SIGTERM stops serve and its database cleanly."""
    container = buildah("from", "--pull=never", IMAGE, capture=True)
    port = free_port()
    log = CACHE / "serve.log"
    runner = None
    try:
        step(f"run the image's serve as 1000:1000 on port {port} (log: {log})")
        with log.open("w") as out:
            runner = subprocess.Popen(
                [
                    *BUILDAH,
                    "run",
                    "--isolation",
                    "chroot",
                    "--network",
                    "host",
                    "--user",
                    "1000:1000",
                    "--env",
                    f"PORT={port}",
                    "--env",
                    "HOST=127.0.0.1",
                    "--env",
                    "ADMIN_PASS=image-test-not-a-real-password",
                    container,
                    "--",
                    "python",
                    "manage.py",
                    "serve",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_healthy(runner, port, log)
        postmaster, data_dir = open_data_dir(runner)
        try:
            stop(runner, postmaster)
            if (data_dir.stat_self().st_nlink or 0) == 0:
                raise AssertionError("/data was removed before its shutdown could be checked")
            if data_dir.exists("postmaster.pid"):
                raise AssertionError("postmaster.pid left in /data/postgres: not a clean stop")
            step("the database removed its postmaster.pid: a clean shutdown")
        finally:
            data_dir.close()
    finally:
        if runner is not None and runner.poll() is None:
            abandon(runner)
        subprocess.run([*BUILDAH, "rm", container], check=False, stdout=subprocess.DEVNULL)


def abandon(runner: subprocess.Popen) -> None:
    """After a failure: stop serve as gently as it allows, never leave its database running."""
    with contextlib.suppress(AssertionError, OSError):
        os.kill(serve_pid(runner), signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        runner.wait(timeout=STOP_TIMEOUT)
    for pid in descendants(runner.pid):
        _signal(pid, signal.SIGKILL)
    runner.kill()
    runner.wait()


def wait_healthy(runner: subprocess.Popen, port: int, log: Path) -> None:
    started = time.monotonic()
    status = None
    while time.monotonic() - started < START_TIMEOUT and runner.poll() is None:
        status = health_status(port)
        if status == 200:
            step(f"/health answered 200 after {time.monotonic() - started:.0f} s")
            return
        time.sleep(1)
    raise AssertionError(
        f"/health answered {status} (serve exit status {runner.poll()}); "
        f"see {log}:\n{log.read_text()[-3000:]}"
    )


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for pid {pid}")


class DataDir:
    """The postmaster's data directory, held open: still readable after the process exits.

    /data is a volume of the image, not part of the container's file system, so it is
    reached through the running postmaster's working directory (its data directory).
    """

    def __init__(self, pid: int) -> None:
        self.fd = os.open(f"/proc/{pid}/cwd", os.O_RDONLY | os.O_DIRECTORY)

    def stat_self(self) -> os.stat_result:
        return os.stat(self.fd)

    def exists(self, name: str) -> bool:
        try:
            os.stat(name, dir_fd=self.fd)
        except FileNotFoundError:
            return False
        return True

    def close(self) -> None:
        os.close(self.fd)


def _root(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/root")
    except OSError:
        return ""


def find_postmaster(serve: int) -> int:
    """The embedded PostgreSQL of ``serve``: pg_ctl daemonizes it, so not a descendant;
    the one postgres in the same container (the same root directory) serving /data."""
    root = _root(serve)
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == serve:
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd[0].endswith(b"/postgres") and b"-D" in cmd and _root(int(entry.name)) == root:
            found.append(int(entry.name))
    if len(found) != 1:
        raise AssertionError(f"expected one embedded PostgreSQL in the container, found {found}")
    return found[0]


def open_data_dir(runner: subprocess.Popen) -> tuple[int, DataDir]:
    pid = find_postmaster(serve_pid(runner))
    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    if "-D /data/postgres" not in cmd:
        raise AssertionError(f"the embedded PostgreSQL does not run in /data: {cmd}")
    if _uid(pid) != 1000:
        raise AssertionError(f"the embedded PostgreSQL runs as uid {_uid(pid)}, not 1000")
    data_dir = DataDir(pid)
    if data_dir.stat_self().st_uid != 1000 or not data_dir.exists("postmaster.pid"):
        raise AssertionError("/data/postgres is not uid 1000's running cluster")
    step(f"the embedded PostgreSQL (pid {pid}) runs in /data/postgres as uid 1000")
    return pid, data_dir


def serve_pid(runner: subprocess.Popen) -> int:
    tree = descendants(runner.pid)
    serve = [
        pid
        for pid, cmd in tree.items()
        if cmd.endswith("manage.py serve") and not cmd.startswith("buildah")
    ]
    # serve forks gunicorn and the task cluster: the one whose parent is not a serve.
    top = [pid for pid in serve if _parent(pid) not in serve]
    if len(top) != 1:
        raise AssertionError(f"expected one serve process under buildah run, found {tree}")
    return top[0]


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def stop(runner: subprocess.Popen, postmaster: int) -> None:
    serve = serve_pid(runner)
    watched = [*descendants(runner.pid), postmaster]
    step(f"SIGTERM to serve (pid {serve})")
    os.kill(serve, signal.SIGTERM)
    try:
        code = runner.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"serve did not stop within {STOP_TIMEOUT} s of SIGTERM") from None
    deadline = time.monotonic() + 5
    while (left := [p for p in watched if Path(f"/proc/{p}").exists()]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.2)
    if code != 0 or left:
        raise AssertionError(f"serve exited with {code}; processes left: {left}")
    step("serve and its database stopped (exit status 0, no process left)")


def main() -> int:
    try:
        preflight()
    except Skip as reason:
        if os.environ.get("CI") == "true":
            print(f"image-test: FAILED: cannot run under CI: {reason}", file=sys.stderr)
            return 1
        print(f"image-test: SKIPPED: {reason}")
        return 0
    started = time.monotonic()
    make_rootfs()
    prepare_rootfs()
    if subprocess.run([*BUILDAH, "inspect", BASE_IMAGE], capture_output=True).returncode:
        commit_base()
    build_image()
    prune()
    run_image()
    step(f"passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
