"""Adapters: the AWS services (DynamoDB, S3, SQS, SES, Cognito) behind the ports of ami.services.ports."""
