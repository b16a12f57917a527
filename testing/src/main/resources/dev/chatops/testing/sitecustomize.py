# Loaded by moto_server's Python at start-up: MotoServer puts this file's folder on PYTHONPATH.
#
# moto records every model object it ever creates (for its dashboard, /moto-api/data.json) and
# never lets one go until a reset. Its TransactWriteItems deep-copies each table it touches, to
# roll back on failure, so every transaction adds a whole table's items to that record: memory
# grows with transactions times table size. A thousand-trial run of deliveries reached 23 GB and
# was killed by the kernel. DynamoDB keeps nothing of the kind, so moto is told not to either.
# Nothing that the tests or the local stack call through DynamoDB's, Secrets Manager's or SQS's
# APIs changes; the dashboard lists no objects. (A sitecustomize.py already on the path, such as
# Debian's, is not loaded for moto_server.)
import sys

try:
    from moto.core import common_models

    def _untracked(cls, *args, **kwargs):
        return super(common_models.BaseModel, cls).__new__(cls)

    common_models.BaseModel.__new__ = _untracked
except Exception as error:  # moto moved it: run as moto is, and say so in its log
    print("chatops: moto keeps its model objects (" + repr(error) + ")", file=sys.stderr)
