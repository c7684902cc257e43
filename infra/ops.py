"""Ops actions on a local stack: instructor accounts."""

from __future__ import annotations

import contextlib

import boto3

from infra.provision import REGION, LocalStack


def add_instructor(stack: LocalStack, email: str, password: str) -> str:
    """Create (or keep) an instructor account in the `instructeurs` group, enrolled in TOTP MFA as ops
    would enrol a new instructor (the API refuses instructors without it); returns the TOTP secret
    (what the instructor's authenticator app holds)."""
    from infra.client import totp_code

    idp = boto3.session.Session().client("cognito-idp", endpoint_url=stack.endpoint, region_name=REGION)
    with contextlib.suppress(idp.exceptions.UsernameExistsException):
        idp.admin_create_user(
            UserPoolId=stack.user_pool_id,
            Username=email,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        )
    idp.admin_set_user_password(UserPoolId=stack.user_pool_id, Username=email, Password=password, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=stack.user_pool_id, Username=email, GroupName="instructeurs")
    # Enrolment: a first sign-in (no second factor yet), the app's secret, one code to prove it, MFA on.
    idp.admin_set_user_mfa_preference(UserPoolId=stack.user_pool_id, Username=email,
                                      SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False})
    auth = idp.initiate_auth(ClientId=stack.user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": email, "PASSWORD": password})["AuthenticationResult"]
    secret = str(idp.associate_software_token(AccessToken=auth["AccessToken"])["SecretCode"])
    idp.verify_software_token(AccessToken=auth["AccessToken"], UserCode=totp_code(secret), FriendlyDeviceName="ami")
    idp.admin_set_user_mfa_preference(UserPoolId=stack.user_pool_id, Username=email,
                                      SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return secret
