"""Notifications: reach people who are not looking, as durably as the rest of the service.

* outbox.py   queues messages in the transaction of the change that causes them (references only)
* delivery.py the worker: takes due messages, renders, sends, retries with backoff, parks
* email.py    SMTP (aiosmtplib); templates.py renders text + HTML in the recipient's language
* webhooks.py Standard Webhooks signing, endpoint registration (staff)
* links.py    signed one-click answer links for offers
* staff.py    failedNotifications / retryNotification
"""
