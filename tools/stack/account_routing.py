"""WSGI middleware: a 12-digit access key id selects the moto account of that number.

Our local inventories give every environment its own fake account by using the account id as the
access key id. moto 5.2.5 does not do this by itself: it derives the account only from access keys
it issued (IAM/STS) or from the ``x-moto-account-id`` header, and otherwise puts everything in
123456789012. This sets that header from the SigV4 credential when the key id is 12 digits and the
client did not choose an account itself. It changes which account a call lands in, not what moto
accepts.
"""

import re

_TWELVE_DIGIT_KEY = re.compile(r"Credential=(\d{12})/")


class AccountFromAccessKey:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        key = _TWELVE_DIGIT_KEY.search(environ.get("HTTP_AUTHORIZATION", ""))
        if key and "HTTP_X_MOTO_ACCOUNT_ID" not in environ:
            environ["HTTP_X_MOTO_ACCOUNT_ID"] = key.group(1)
        return self.app(environ, start_response)
