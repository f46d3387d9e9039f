"""Chat adapters and the command line. The only code that knows a platform."""
