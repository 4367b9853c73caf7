"""Sweeps give the serial result on fork, spawn, thread and dask executors in one process.

Regression for issue 12: after a ``prange`` kernel had run, a default (fork)
``ProcessPoolExecutor`` died with BrokenProcessPool because numba had loaded the GNU OpenMP
threading layer, which is not fork safe.  :mod:`equilibria._lib.jit` now picks a fork-safe
layer (tbb, else workqueue with parallel kernels serialized across threads).  The scenario runs
in a fresh subprocess so the threading layer is chosen there from scratch.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent('''
    import concurrent.futures as cf
    import multiprocessing as mp
    import sys
    import threading

    import numpy as np

    import equilibria.odes as odes
    from equilibria._lib.sweep import parallel_map

    MODEL = odes.CoexistenceModel.preset("governed")


    def end_state(seed):
        rng = np.random.default_rng(seed)
        X0 = rng.uniform(0.1, 1.0, size=(6, MODEL.system.n))
        return np.array(MODEL.simulate_batch(X0, 5.0).x)   # end states, one row per start


    def main():
        import numba

        seeds = list(range(6))
        serial = parallel_map(end_state, seeds, progress=False)   # prange kernels run here
        layer = numba.threading_layer()
        print("layer", layer)

        def check(name, executor):
            got = parallel_map(end_state, seeds, executor=executor, progress=False)
            for a, b in zip(serial, got):
                np.testing.assert_array_equal(a, b)
            print("ok", name)

        with cf.ProcessPoolExecutor(max_workers=2) as ex:          # fork on Linux
            if sys.platform.startswith("linux"):
                assert ex._mp_context.get_start_method() == "fork"
            check("fork", ex)
        with cf.ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("spawn")) as ex:
            check("spawn", ex)
        with cf.ThreadPoolExecutor(max_workers=4) as ex:
            check("thread", ex)
        # parallel kernels launched from several threads at the same moment
        barrier = threading.Barrier(4)
        errors = []

        def hammer(k):
            barrier.wait()
            try:
                for s in seeds:
                    np.testing.assert_array_equal(end_state(s), serial[s])
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=hammer, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        print("ok threads")
        with cf.ProcessPoolExecutor(max_workers=2) as ex:          # fork again, after threads
            check("fork-again", ex)
        try:
            import distributed
        except ImportError:
            print("skip dask")
        else:
            with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                          dashboard_address=None) as cluster, \\
                    distributed.Client(cluster) as client:
                check("dask", client.get_executor())
        print("done")


    if __name__ == "__main__":
        main()
''')


def test_sweeps_on_every_executor_after_a_parallel_kernel(tmp_path):
    script = tmp_path / "sweep_executors.py"
    script.write_text(SCRIPT)
    env = dict(os.environ)
    env.pop("NUMBA_THREADING_LAYER", None)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=600, env=env, cwd=tmp_path)
    out = proc.stdout
    assert proc.returncode == 0, f"stdout:\n{out}\nstderr:\n{proc.stderr[-4000:]}"
    for name in ("fork", "spawn", "thread", "threads", "fork-again"):
        assert f"ok {name}\n" in out, out
    assert "BrokenProcessPool" not in proc.stderr
    assert "done" in out


def test_threading_layer_is_fork_safe():
    from equilibria._lib import jit

    if os.environ.get("NUMBA_THREADING_LAYER"):
        pytest.skip("threading layer chosen by the user")
    assert jit.THREADING_LAYER in {"tbb", "workqueue"}


# ---------------------------------------------------------------------------------------------
# Ctrl-C: a serial simulate and a spawn pool stop within about a second
# ---------------------------------------------------------------------------------------------

INTERRUPT_SCRIPT = textwrap.dedent('''
    import concurrent.futures as cf
    import multiprocessing as mp
    import os
    import sys
    import time

    import numpy as np


    def slow_item(arg):
        path, k = arg
        time.sleep(0.5)
        with open(os.path.join(path, f"done{k}"), "w"):
            pass
        return k


    def main(mode, path):
        if mode == "simulate":
            import equilibria.bandits as B

            env = B.BernoulliArms(np.array([0.1, 0.3, 0.5, 0.7, 0.9]))
            B.simulate(env, B.KLUCB(), 50, n_runs=2, seed=0)          # compile first
            print("started", flush=True)
            # about 10 minutes of serial work in the default (automatic) chunking
            B.simulate(env, B.KLUCB(), 100_000, n_runs=1000, seed=0, checkpoints=10)
        else:
            from equilibria._lib.sweep import parallel_map

            with cf.ProcessPoolExecutor(max_workers=2,
                                        mp_context=mp.get_context("spawn")) as ex:
                list(ex.map(abs, [1, 2]))                                # workers up
                print("started", flush=True)
                parallel_map(slow_item, [(path, k) for k in range(40)], executor=ex,
                             progress=False)
        print("finished", flush=True)


    if __name__ == "__main__":
        main(sys.argv[1], sys.argv[2])
''')


def _interrupt_after_start(tmp_path, mode, delay=2.0):
    import signal
    import time

    script = tmp_path / "interrupt.py"
    script.write_text(INTERRUPT_SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), mode, str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, start_new_session=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "started", (line, proc.stderr.read() if proc.poll() else "")
        time.sleep(delay)
        # as a terminal's Ctrl-C: SIGINT to the whole process group (workers included)
        os.killpg(proc.pid, signal.SIGINT)
        t0 = time.perf_counter()
        out, err = proc.communicate(timeout=60)
        elapsed = time.perf_counter() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out, err, elapsed


def test_ctrl_c_stops_a_serial_simulate(tmp_path):
    rc, out, err, elapsed = _interrupt_after_start(tmp_path, "simulate")
    assert rc != 0 and "finished" not in out
    assert "KeyboardInterrupt" in err, err[-2000:]
    assert elapsed < 3.0, f"took {elapsed:.1f} s to stop after SIGINT"


def test_ctrl_c_cancels_a_spawn_pool(tmp_path):
    rc, out, err, elapsed = _interrupt_after_start(tmp_path, "pool")
    assert rc != 0 and "finished" not in out
    assert "KeyboardInterrupt" in err, err[-2000:]
    assert elapsed < 3.0, f"took {elapsed:.1f} s to stop after SIGINT"
    done = len(list(tmp_path.glob("done*")))
    assert done < 16, f"{done} of 40 items ran: pending work was not cancelled"


def test_parallel_map_cancels_pending_futures_on_interrupt():
    import concurrent.futures as cf

    from equilibria._lib.sweep import parallel_map

    submitted = []

    class Recording(cf.ThreadPoolExecutor):
        def submit(self, *args, **kwargs):
            fut = super().submit(*args, **kwargs)
            submitted.append(fut)
            return fut

    def item(k):
        if k == 0:
            raise KeyboardInterrupt
        import time

        time.sleep(0.05)
        return k

    with Recording(max_workers=1) as ex, pytest.raises(KeyboardInterrupt):
        parallel_map(item, range(20), executor=ex, progress=False)
    assert len(submitted) == 20
    assert sum(f.cancelled() for f in submitted) >= 17
