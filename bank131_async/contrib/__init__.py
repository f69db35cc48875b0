"""Ready webhook receivers for web frameworks (thin adapters over
:func:`bank131_async.webhooks.receive_webhook`): :mod:`.fastapi` (``pip install
'bank131-async[fastapi]'``) and :mod:`.aiohttp` (``pip install 'bank131-async[aiohttp]'``)."""
