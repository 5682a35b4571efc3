"""The partner upload portal: partners sign in, send files through the intake, read receipts;
the data team reviews warnings and periods, a committee approves its schemes' periods.

`app.create_app` builds the ASGI application (Starlette, Jinja templates in French) that
`sdsf portal` serves with uvicorn; `accounts` keeps the hashed credentials, `roles` says what
each role may do, `signoff_pages` serves the periods and warnings pages, and `expectations`
says what each partner owes for the current and previous reporting periods.
"""
