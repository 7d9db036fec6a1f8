# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PostgreSQL connection options of every pg_* module, documented once (module_utils/pg_connection.py).

The three fragments document the same suboptions under the option names the modules use (database, server, source and
target); ansible-test reads fragments as plain strings, so each is written out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # option "database": the connection to one database
    DOCUMENTATION = r"""
options:
  database:
    description: Connection to the database (see the suboptions for how it is found through AWS).
    type: dict
    required: true
    suboptions:
      rds_instance_identifier:
        description:
          - The RDS instance (identifier or ARN) in the module's account and region. Host and port come from its
            endpoint, the user and the database from what it was created with, unless given here.
        type: str
      secret_id:
        description:
          - A Secrets Manager secret (name or ARN) holding JSON with C(username) and C(password), the layout of RDS
            master secrets. Without it, an instance's own managed master secret is used, if it has one.
        type: str
      host:
        description: Host name or address; overrides the instance's endpoint.
        type: str
      port:
        description: Port; overrides the instance's endpoint (default 5432 without an instance).
        type: int
      user:
        description: User; overrides the secret's and the instance's.
        type: str
      password:
        description: Password; overrides the secret's. Prefer O(ignore:secret_id), so the password never passes through
          Ansible variables.
        type: str
      dbname:
        description: Database; default the instance's own database.
        type: str
      sslmode:
        description:
          - libpq C(sslmode). The default verifies that the server's certificate chains to O(ignore:ca_bundle) and names
            the host connected to.
        type: str
        default: verify-full
        choices: [disable, allow, prefer, require, verify-ca, verify-full]
      ca_bundle:
        description:
          - CA bundle the server certificate is verified against (libpq C(sslrootcert)); required with V(verify-ca) and
            V(verify-full). On AWS, the RDS CA bundle of the region
            (U(https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem)).
        type: path
"""

    # option "server": the connection to a server's maintenance database
    SERVER = r"""
options:
  server:
    description: Connection to the server's maintenance database (a user allowed to create databases).
    type: dict
    required: true
    suboptions:
      rds_instance_identifier:
        description:
          - The RDS instance (identifier or ARN) in the module's account and region. Host and port come from its
            endpoint, the user and the database from what it was created with, unless given here.
        type: str
      secret_id:
        description:
          - A Secrets Manager secret (name or ARN) holding JSON with C(username) and C(password), the layout of RDS
            master secrets. Without it, an instance's own managed master secret is used, if it has one.
        type: str
      host:
        description: Host name or address; overrides the instance's endpoint.
        type: str
      port:
        description: Port; overrides the instance's endpoint (default 5432 without an instance).
        type: int
      user:
        description: User; overrides the secret's and the instance's.
        type: str
      password:
        description: Password; overrides the secret's. Prefer O(ignore:secret_id), so the password never passes through
          Ansible variables.
        type: str
      dbname:
        description: Maintenance database of the server.
        type: str
        default: postgres
      sslmode:
        description:
          - libpq C(sslmode). The default verifies that the server's certificate chains to O(ignore:ca_bundle) and names
            the host connected to.
        type: str
        default: verify-full
        choices: [disable, allow, prefer, require, verify-ca, verify-full]
      ca_bundle:
        description:
          - CA bundle the server certificate is verified against (libpq C(sslrootcert)); required with V(verify-ca) and
            V(verify-full). On AWS, the RDS CA bundle of the region
            (U(https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem)).
        type: path
"""

    # options "source" and "target" of a copy from one server to another
    SOURCE_TARGET = r"""
options:
  source:
    description: Connection to the database copied from.
    type: dict
    required: true
    suboptions:
      rds_instance_identifier:
        description:
          - The RDS instance (identifier or ARN) in the module's account and region. Host and port come from its
            endpoint, the user and the database from what it was created with, unless given here.
        type: str
      secret_id:
        description:
          - A Secrets Manager secret (name or ARN) holding JSON with C(username) and C(password), the layout of RDS
            master secrets. Without it, an instance's own managed master secret is used, if it has one.
        type: str
      host:
        description: Host name or address; overrides the instance's endpoint.
        type: str
      port:
        description: Port; overrides the instance's endpoint (default 5432 without an instance).
        type: int
      user:
        description: User; overrides the secret's and the instance's.
        type: str
      password:
        description: Password; overrides the secret's. Prefer O(ignore:secret_id), so the password never passes through
          Ansible variables.
        type: str
      dbname:
        description: Database; default the instance's own database.
        type: str
      sslmode:
        description:
          - libpq C(sslmode). The default verifies that the server's certificate chains to O(ignore:ca_bundle) and names
            the host connected to.
        type: str
        default: verify-full
        choices: [disable, allow, prefer, require, verify-ca, verify-full]
      ca_bundle:
        description:
          - CA bundle the server certificate is verified against (libpq C(sslrootcert)); required with V(verify-ca) and
            V(verify-full). On AWS, the RDS CA bundle of the region
            (U(https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem)).
        type: path
  target:
    description: Connection to the target server; O(target.dbname) is the database the copy replaces.
    type: dict
    required: true
    suboptions:
      rds_instance_identifier:
        description:
          - The RDS instance (identifier or ARN) in the module's account and region. Host and port come from its
            endpoint, the user and the database from what it was created with, unless given here.
        type: str
      secret_id:
        description:
          - A Secrets Manager secret (name or ARN) holding JSON with C(username) and C(password), the layout of RDS
            master secrets. Without it, an instance's own managed master secret is used, if it has one.
        type: str
      host:
        description: Host name or address; overrides the instance's endpoint.
        type: str
      port:
        description: Port; overrides the instance's endpoint (default 5432 without an instance).
        type: int
      user:
        description: User; overrides the secret's and the instance's.
        type: str
      password:
        description: Password; overrides the secret's. Prefer O(ignore:secret_id), so the password never passes through
          Ansible variables.
        type: str
      dbname:
        description: Database; default the instance's own database.
        type: str
      sslmode:
        description:
          - libpq C(sslmode). The default verifies that the server's certificate chains to O(ignore:ca_bundle) and names
            the host connected to.
        type: str
        default: verify-full
        choices: [disable, allow, prefer, require, verify-ca, verify-full]
      ca_bundle:
        description:
          - CA bundle the server certificate is verified against (libpq C(sslrootcert)); required with V(verify-ca) and
            V(verify-full). On AWS, the RDS CA bundle of the region
            (U(https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem)).
        type: path
"""
