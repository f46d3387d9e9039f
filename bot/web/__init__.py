"""The trainers' console: a front like the chat adapters. Route handlers parse a
request, call `tutor/`, and render a template; nothing here decides what a number
means. Every asset is vendored in static/ (htmx 2.0.11, 0BSD): no CDN, no build."""
