"""The emulated account's id (moto's default), in a module of its own so the command line can print it
without importing boto3 or moto."""

ACCOUNT_ID = "123456789012"
