"""Adapters: the AWS services (DynamoDB, S3, SQS, SES, Cognito, Textract) and the local OCR engine
(Tesseract) behind the ports of ami.services.ports."""
