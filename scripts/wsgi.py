"""WSGI entry point used by scripts/serve.sh: the CKAN app of $CKAN_INI.

With $DATATHON_LOG_DIR set (serve.sh sets it to .services/ckan), every
application log record, each error with its traceback, goes to
$DATATHON_LOG_DIR/ckan.log (mode 0600), and gunicorn's access and error logs
are not silenced by CKAN's logging setup."""

import os
from logging.config import fileConfig
from pathlib import Path

from ckan.cli import load_config
from ckan.config.middleware import make_app

from ckanext.datathon.demo import server_logs

_ini = os.environ["CKAN_INI"]
fileConfig(_ini, disable_existing_loggers=False)
_config = load_config(_ini)
if os.environ.get("DATATHON_LOG_DIR"):
    server_logs.configure(Path(os.environ["DATATHON_LOG_DIR"]))
application = make_app(_config)
