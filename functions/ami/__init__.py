"""AMI garantie: the shared domain package of the Lambda functions and the API."""
