"""What the trainers' console shares with the command line and the chat: accounts and
their rights, the audit log, and the queries its pages show."""
