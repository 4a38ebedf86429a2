"""Ordinary file work a project's tests do, run by pytest (faulthandler on)."""
import os
import shutil
import signal
import subprocess
import sys
import threading


def test_tmp_path_roundtrip(tmp_path):
    p = tmp_path / "a" / "b.txt"
    p.parent.mkdir()
    p.write_text("hello")
    assert p.read_text() == "hello"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a"]


def test_walk_copy_remove(tmp_path):
    src = tmp_path / "src"
    for i in range(20):
        d = src / f"d{i % 4}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i}").write_bytes(bytes([i]) * i)
    os.symlink("d0", src / "link")
    dst = tmp_path / "dst"
    shutil.copytree(src, dst, symlinks=True)
    assert os.readlink(dst / "link") == "d0"
    assert sum(len(f) for _, _, f in os.walk(dst)) == 20
    shutil.rmtree(src)
    assert not src.exists()


def test_subprocess_and_cwd(tmp_path):
    out = subprocess.run([sys.executable, "-c", "import os; print(os.getcwd())"],
                         cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(tmp_path)


def test_pass_fds(tmp_path):
    r, w = os.pipe()
    code = f"import os; os.write({w}, b'x')"
    subprocess.run([sys.executable, "-c", code], pass_fds=(w,), check=True)
    os.close(w)
    assert os.read(r, 1) == b"x"
    os.close(r)


def test_threads_stat(tmp_path):
    (tmp_path / "f").write_text("x")
    errors = []

    def work():
        try:
            for _ in range(200):
                os.stat(tmp_path / "f")
                os.readlink("/proc/self/exe")
        except OSError as e:
            errors.append(e)

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors


def test_signal_handler_does_path_calls(tmp_path):
    seen = []

    def handler(signum, frame):
        seen.append(os.path.exists(tmp_path))
        os.stat("/")

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
        for _ in range(2000):
            os.stat(tmp_path)
            if len(seen) > 20:
                break
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, old)
    assert all(seen)
