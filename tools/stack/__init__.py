"""The local stack: a moto server standing in for the AWS endpoint, and a throwaway PostgreSQL 15.

Run it with ``python -m tools.stack start|stop|status|env``; read its state from Python with
:mod:`tools.stack.state`. Everything it writes lives under ``$ENVOPS_SCRATCH/stack``
(default ``<repo>/.scratch/stack``).
"""
