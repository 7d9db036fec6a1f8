# envops.aws: the two commands a new user needs are `make demo` and `make test`.
# Everything else here is a building block of those two.
SHELL := /bin/bash
ROOT := $(abspath .)
SCRATCH := $(ROOT)/.scratch
VENV := $(SCRATCH)/venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
COLLECTION_LINK := $(SCRATCH)/collections/ansible_collections/envops/aws

# The user's own, for `make shell`.
USER_HOME := $(HOME)
USER_PATH := $(PATH)

# Tools write their caches under .scratch, never into ~/.ansible or ~/.cache. A shell gets the same from
# .scratch/activate (`make shell`), except HOME: the user's stays, with the AWS credentials in ~/.aws.
export ANSIBLE_HOME := $(SCRATCH)/ansible-home
export ANSIBLE_REMOTE_TEMP := $(ANSIBLE_HOME)/tmp
export ANSIBLE_CONFIG := $(ROOT)/ansible.cfg
export XDG_CACHE_HOME := $(SCRATCH)/cache
export PIP_CACHE_DIR := $(SCRATCH)/cache/pip
export PYTHONDONTWRITEBYTECODE := 1
SHELL_ENV := ANSIBLE_HOME ANSIBLE_REMOTE_TEMP ANSIBLE_CONFIG XDG_CACHE_HOME PIP_CACHE_DIR PYTHONDONTWRITEBYTECODE
export HOME := $(SCRATCH)/home
export PATH := $(BIN):$(PATH)
ACTIVATE := $(SCRATCH)/activate

STACK := $(PY) -m tools.stack

.PHONY: demo test shell venv collection build stack-up stack-down stack-status \
        unit integration molecule sanity lint bench-network bench-masking bench-masking-dynamodb bench-drill \
        bench-faults bench-audit clean

## demo: set up, start the local stack, provision the local estate, refresh staging and test with masked data of a
## generated prod database (20,000 customers, 60,000 orders) and prod's DynamoDB tables (300 items each), then audit
## every environment against its spec
demo: venv stack-up
	$(BIN)/ansible-playbook -i inventories/local playbooks/provision.yml
	$(PY) -m tools.masking_dataset prod 20000 > /dev/null
	$(PY) -m tools.estate_tables prod 300 20000 > /dev/null
	$(BIN)/ansible-playbook -i inventories/local playbooks/refresh_masked.yml -e refresh_targets=staging,test
	$(BIN)/ansible-playbook -i inventories/local playbooks/audit.yml
	@echo "Reports of the refreshes and the audit: $(ROOT)/reports (envops_report_dir: by default reports/ where ansible-playbook runs)"

## test: set up, then every test suite (CI runs exactly this)
test: venv stack-up
	$(MAKE) --no-print-directory unit lint build integration molecule sanity

## shell: a shell in this checkout with the virtualenv on PATH and the Makefile's Ansible settings and caches
## (.scratch/activate): the README's commands run there as written; `exit` leaves it
shell: venv
	@echo "envops shell in $(ROOT): ansible-playbook, python and the tools of .scratch/venv; exit to leave"
	@env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS HOME='$(USER_HOME)' PATH='$(USER_PATH)' \
	  $(SHELL) --rcfile <(printf '%s\n' 'test -f ~/.bashrc && . ~/.bashrc' '. $(ACTIVATE)') -i

venv: $(VENV)/.installed collection $(ACTIVATE)

# `source .scratch/activate` gives a shell the environment of the Makefile's tools (see above).
$(ACTIVATE): Makefile
	@mkdir -p $(ANSIBLE_HOME) $(XDG_CACHE_HOME)
	@printf '%s\n' \
	  "# Written by make from the Makefile. Source it (bash, zsh) to run this checkout's commands by hand:" \
	  "# the virtualenv first on PATH, this checkout's ansible.cfg, Ansible's files and the caches under .scratch." \
	  "# HOME stays yours. Open a new shell to leave it." \
	  $(foreach name,$(SHELL_ENV),"export $(name)='$($(name))'") \
	  "export PATH='$(BIN)':\"\$$PATH\"" \
	  "PS1=\"(envops) \$${PS1-}\"" > $@

$(VENV)/.installed: requirements.txt constraints.txt
	@mkdir -p $(SCRATCH) $(HOME) $(ANSIBLE_HOME) $(XDG_CACHE_HOME)
	test -x $(PY) || python3 -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt -c constraints.txt
	touch $@

# Ansible finds envops.aws through a link in a collections path under .scratch.
collection:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@test -L $(COLLECTION_LINK) || ln -s $(ROOT) $(COLLECTION_LINK)

stack-up: venv
	$(STACK) start
stack-down:
	$(STACK) stop
stack-status:
	$(STACK) status

unit: venv
	$(BIN)/pytest -q tests/unit tests/tools

# The collection tarball: built, its file list checked (all of the collection, nothing of development), installed
# offline (its dependencies come from the ansible package), then used as a user would: from an empty directory,
# without this checkout's ansible.cfg or collection link, every playbook syntax-checks as envops.aws.<playbook>.
BUILD := $(SCRATCH)/build
INSTALLED := $(BUILD)/collections
PLAYBOOKS := $(sort $(basename $(notdir $(wildcard playbooks/*.yml))))
AS_A_USER := cd $(BUILD)/user && env -u ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH=$(INSTALLED)
build: venv
	rm -rf $(BUILD) && mkdir -p $(BUILD)/user
	$(BIN)/ansible-galaxy collection build --output-path $(BUILD)
	$(PY) -m tools.check_tarball $(BUILD)/envops-aws-*.tar.gz
	ANSIBLE_COLLECTIONS_PATH=$(VENV)/lib/python3.11/site-packages $(BIN)/ansible-galaxy collection install \
	  --offline -p $(INSTALLED) $(BUILD)/envops-aws-*.tar.gz
	$(AS_A_USER) $(BIN)/ansible-doc -t module envops.aws.vpc_flow_log > /dev/null
	$(AS_A_USER) $(BIN)/ansible-playbook -i localhost, --syntax-check $(addprefix envops.aws.,$(PLAYBOOKS))

# --durations: the slowest tests in the log, to see where the suite's time goes
integration: venv stack-up
	$(BIN)/pytest -q -n 2 --dist loadfile --durations=15 tests/integration

molecule: venv stack-up
	$(PY) -m tools.run_molecule

sanity: venv
	$(PY) -m tools.ansible_test sanity

lint: venv
	$(BIN)/ansible-lint --offline --profile production

bench-network: venv stack-up
	$(PY) -m tools.bench_network

# The masking tools measured beside ours, in a virtualenv of their own: their pins never touch $(VENV).
BENCH_VENV := $(SCRATCH)/bench-venv
$(BENCH_VENV)/.installed: requirements-bench.txt
	test -x $(BENCH_VENV)/bin/python || python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --disable-pip-version-check -q -r requirements-bench.txt && touch $@ \
	  || echo "requirements-bench.txt did not install: bench-masking reports the peers as not measured"

# masked copy vs plain logical copies and peers on 1M customers + 3M orders, median of 3 runs
# (BENCH_ARGS="--customers 50000" for less)
bench-masking: venv stack-up $(BENCH_VENV)/.installed
	BENCH_PEER_VENV=$(BENCH_VENV) $(PY) -m tools.bench_masking $(BENCH_ARGS)

# bench-drill: backup and DR drill of a generated prod database of about 1 GB with the real playbooks
bench-drill: venv stack-up
	$(PY) -m tools.bench_drill $(BENCH_ARGS)

# bench-faults: provisioning dev (all roles) at 0 / 10 / 30 % injected throttling, median of 3 runs, on a moto server
# of its own (BENCH_ARGS="--runs 1" for less)
bench-faults: venv
	$(PY) -m tools.bench_faults $(BENCH_ARGS)

# bench-audit: audit.yml of the five-environment estate provisioned into fresh fake accounts, median of 3 runs
bench-audit: venv stack-up
	$(PY) -m tools.bench_audit $(BENCH_ARGS)

# DynamoDB masked copy on its own moto server (200k items by default: slow, moto's Scan is the bottleneck)
bench-masking-dynamodb: venv
	$(PY) -m tools.bench_masking_dynamodb $(BENCH_ARGS)

clean: stack-down
	rm -rf $(SCRATCH)
