# The two commands a newcomer needs: `make run` and `make test`. Both set up first.
SHELL := /bin/bash
PY := .venv/bin/python
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: setup setup-test model index run run-replicas shell test test-faults test-failover test-replicas test-abuse test-unit lint bench bench-rasa bench-mixed bench-faiss bench-e5 bench-handoff bench-team eval lock clean

# Both environments from the runtime and dev lock files (hashes checked); a production machine runs
# bin/setup --prod instead (runtime locks only).
setup:
	@bin/setup

# setup and the test-only npm packages (rasa-webchat, for tests/browser/test_rasa_webchat.py).
setup-test:
	@bin/setup --test

model: setup
	@bin/train

index: setup
	@PYTHONPATH=. $(PY) -m bot.build_index --if-changed

run: setup model index
	@PYTHONPATH=. $(PY) -m ops.launch

# Two Rasa servers, two action servers, two handoff services behind HAProxy, one Redis (docs/scaling.md).
run-replicas: setup model index
	@PYTHONPATH=. $(PY) -m ops.launch_replicas

# Rasa's interactive shell against the running stack (make run in another terminal); any other
# rasa command with the same environment: .venv/bin/python -m ops.rasa_tools data validate
shell: setup model
	$(PY) -m ops.rasa_tools shell

test: setup-test model index
	$(PY) -m pytest -m "not faults and not failover and not replicas and not abuse"

# Kills every process under load and restarts Redis; writes bench/results/faults.{json,md}.
test-faults: setup model index
	$(PY) -m pytest -m faults

# The stack on a master, a replica and three Sentinels; SIGKILLs the master under load (about 4 minutes);
# writes bench/results/failover.{json,md}.
test-failover: setup model index
	$(PY) -m pytest -m failover

# The replicated stack behind HAProxy under load (about 3 minutes); writes var/test-replicas/report.{json,md}.
test-replicas: setup model index
	$(PY) -m pytest -m replicas

# A bounded flood (60 s, loopback addresses only) through HAProxy's public frontend beside ten real
# customers and two moderators (about 5 minutes); writes var/test-abuse/report.{json,md}, bench/results/abuse.md.
test-abuse: setup model index
	$(PY) -m pytest -m abuse

test-unit: setup
	$(PY) -m pytest -m "not integration and not faults and not failover and not replicas and not abuse"

lint: setup
	$(PY) -m ruff check bot handoff actions ops tests bench faq_corpus/archive/tools
	$(PY) -m mypy

# All benchmarks; results under bench/results/.
bench: bench-rasa bench-mixed bench-faiss bench-e5 bench-handoff bench-team

# FAISS search at 10 thousand, 100 thousand and 1 million vectors, clumps and e5-like (about 8 minutes on a quiet machine).
bench-faiss: setup
	PYTHONPATH=. $(PY) -m bench.faiss_scale

# e5 on 2 cores: threads and OpenMP waiting, quiet and beside a busy core (about a minute).
bench-e5: setup
	PYTHONPATH=. $(PY) -m bench.e5_threads

# The handoff service's start time, memory and imports, five starts (about 10 seconds).
bench-handoff: setup
	PYTHONPATH=. $(PY) -m bench.handoff_footprint --label current

# The full stack (with the handoff service) under REST and socket.io customers: FAQ questions,
# small talk and handoffs, open loop at 20 msgs/s for 30 s (about 2 minutes with start-up).
# A weekend like Żak's (2,386 contacts) for 2, 3 and 4 moderators per day shift, each through the
# full stack at 360x (about 10 minutes a run); writes bench/results/team.{json,md,svg}.
bench-team: setup model index
	PYTHONPATH=. $(PY) -m bench.team

bench-mixed: setup model index
	PYTHONPATH=. $(PY) -m bench.mixed_load

# Plain `rasa init` assistant vs this stack, same load, one run (about 10 minutes).
bench-rasa: setup model
	PYTHONPATH=. $(PY) -m bench.rasa_pipeline

# The brain on held-out data, on the validation split and on the sealed test (refused if it changed:
# faq_corpus/labelled/SEALED.md), and on BANKING77 / CLINC150; reports in bench/results/.
eval: setup index
	PYTHONPATH=. $(PY) -m bench.eval_brain
	PYTHONPATH=. $(PY) -m bench.judgement --split validation
	PYTHONPATH=. $(PY) -m bench.judgement --split sealed
	PYTHONPATH=. $(PY) -m bench.judgement --split sealed2
	PYTHONPATH=. $(PY) -m bench.eval_public

# Compile requirements/*.in into the hashed lock files with uv, keeping the versions already pinned
# (after changing an .in file; bin/lock --upgrade-package NAME moves one on). make setup installs them.
lock:
	@bin/lock

clean:
	rm -rf models .rasa .pytest_cache .mypy_cache .ruff_cache
