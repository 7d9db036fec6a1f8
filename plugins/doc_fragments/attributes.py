# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The same for every module: each one's check mode and diff differ and are documented with the module.
    PLATFORM = r"""
options: {}
attributes:
  platform:
    description:
      - Runs where its task runs, normally the controller (the environment hosts of the inventories use a local
        connection). It never changes that host.
    support: full
    platforms: all
"""
