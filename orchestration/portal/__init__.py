"""The partner upload portal: partners sign in, send files through the intake, read receipts.

`app.create_app` builds the ASGI application (Starlette, Jinja templates in French) that
`sdsf portal` serves with uvicorn; `accounts` keeps the hashed credentials and `expectations`
says what each partner owes for the current and previous reporting periods.
"""
