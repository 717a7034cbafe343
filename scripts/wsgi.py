"""WSGI entry point used by scripts/serve.sh: the CKAN app of $CKAN_INI."""

import os
from logging.config import fileConfig

from ckan.cli import load_config
from ckan.config.middleware import make_app

_ini = os.environ["CKAN_INI"]
fileConfig(_ini, disable_existing_loggers=False)
application = make_app(load_config(_ini))
