#!/usr/bin/env python3
"""Sign fixed DynamoDB requests with botocore's SigV4Auth and print the result as JSON.

The Swift test `BotocoreSigningTests` reads this output (run live when python3 and
botocore are installed, and from the committed copy `botocore_expected.json`
otherwise) and signs the very same inputs with `SigV4Signer`; the Authorization
headers must be identical.

Regenerate the committed copy with:
    python3 botocore_sign_dynamodb.py > botocore_expected.json
"""
import datetime
import json
import sys
from unittest import mock

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TIMESTAMP = datetime.datetime(2024, 5, 1, 12, 34, 56, tzinfo=datetime.timezone.utc)
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEBYaDEXAMPLETOKEN+/="

CASES = [
    {
        "name": "get-item",
        "region": "eu-west-1",
        "url": "https://dynamodb.eu-west-1.amazonaws.com/",
        "headers": [
            ["X-Amz-Target", "DynamoDB_20120810.GetItem"],
            ["Content-Type", "application/x-amz-json-1.0"],
        ],
        "body": '{"TableName":"teams","Key":{"id":{"S":"team-1"}},"ConsistentRead":true}',
        "session_token": None,
    },
    {
        # A session token is signed (X-Amz-Security-Token); User-Agent is not.
        "name": "put-item-session-token",
        "region": "us-east-1",
        "url": "https://dynamodb.us-east-1.amazonaws.com/",
        "headers": [
            ["X-Amz-Target", "DynamoDB_20120810.PutItem"],
            ["Content-Type", "application/x-amz-json-1.0"],
            ["User-Agent", "aws-dynamodb-swift/1.0"],
        ],
        "body": '{"TableName":"teams","Item":{"id":{"S":"team-\u00e9"},"n":{"N":"42"}},'
        '"ConditionExpression":"attribute_not_exists(#id)","ExpressionAttributeNames":{"#id":"id"}}',
        "session_token": SESSION_TOKEN,
    },
    {
        # A non-default port is part of the signed Host header.
        "name": "scan-local-endpoint",
        "region": "us-west-2",
        "url": "http://127.0.0.1:8000/",
        "headers": [
            ["X-Amz-Target", "DynamoDB_20120810.Scan"],
            ["Content-Type", "application/x-amz-json-1.0"],
        ],
        "body": '{"TableName":"t","Limit":2}',
        "session_token": None,
    },
]


def sign(case):
    credentials = Credentials(ACCESS_KEY, SECRET_KEY, case["session_token"])
    request = AWSRequest(
        method="POST",
        url=case["url"],
        headers=dict(case["headers"]),
        data=case["body"].encode("utf-8"),
    )
    signer = botocore.auth.SigV4Auth(credentials, "dynamodb", case["region"])
    # Record the intermediate values botocore computes while it signs (computing them
    # again afterwards would include the Authorization header it has just added).
    recorded = {}
    canonical_request_of = signer.canonical_request
    string_to_sign_of = signer.string_to_sign

    def record_canonical_request(req):
        recorded["canonicalRequest"] = canonical_request_of(req)
        return recorded["canonicalRequest"]

    def record_string_to_sign(req, canonical_request):
        recorded["stringToSign"] = string_to_sign_of(req, canonical_request)
        return recorded["stringToSign"]

    signer.canonical_request = record_canonical_request
    signer.string_to_sign = record_string_to_sign
    with mock.patch("botocore.auth.get_current_datetime", return_value=TIMESTAMP):
        signer.add_auth(request)
    canonical_request = recorded["canonicalRequest"]
    string_to_sign = recorded["stringToSign"]
    return {
        "name": case["name"],
        "inputs": {
            "method": "POST",
            "url": case["url"],
            "region": case["region"],
            "service": "dynamodb",
            "accessKeyID": ACCESS_KEY,
            "secretAccessKey": SECRET_KEY,
            "sessionToken": case["session_token"],
            "date": TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "headers": case["headers"],
            "body": case["body"],
        },
        "expected": {
            "canonicalRequest": canonical_request,
            "stringToSign": string_to_sign,
            "authorization": request.headers["Authorization"],
            "xAmzDate": request.headers["X-Amz-Date"],
            "xAmzSecurityToken": request.headers.get("X-Amz-Security-Token"),
        },
    }


if __name__ == "__main__":
    json.dump(
        {"botocoreVersion": botocore.__version__, "cases": [sign(c) for c in CASES]},
        sys.stdout,
        indent=2,
        sort_keys=True,
    )
    sys.stdout.write("\n")
