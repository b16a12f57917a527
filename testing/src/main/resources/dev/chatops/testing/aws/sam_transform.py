"""AWS's own SAM transform of a template, printed as CloudFormation JSON on stdout.

Usage: python3 -c "$(cat sam_transform.py)" TEMPLATE REGION, with the template's parameter values
as a JSON object on stdin.

Run by dev.chatops.testing.aws.SamTemplate. The transform is samtranslator's, as cfn-lint runs it
(cfnlint/template/transforms/_sam.py): AWS-managed policy names come from the map cfn-lint ships
(cfnlint/data/Serverless/ManagedPolicies.json) instead of IAM's ListPolicies, and a local CodeUri
becomes a placeholder S3 URI, because the transform accepts only S3 locations. Nothing is called
over the network.
"""

import json
import logging
import os
import sys


def main():
    template_path, region = sys.argv[1], sys.argv[2]
    parameter_values = json.load(sys.stdin)
    # boto3's session reads the region for AWS::Region, AWS::Partition and the ARNs SAM generates.
    os.environ["AWS_DEFAULT_REGION"] = region
    logging.getLogger("samtranslator").setLevel(logging.CRITICAL)

    from samtranslator.yaml_helper import yaml_parse
    from samtranslator.translator.transform import transform
    from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
    from samtranslator.model.exceptions import InvalidDocumentException

    class ShippedManagedPolicies(ManagedPolicyLoader):
        """Policy name -> ARN from cfn-lint's copy of IAM's list; never calls IAM."""

        def __init__(self):
            super().__init__(iam_client=None)

        def load(self):
            from cfnlint.data import Serverless
            from cfnlint.helpers import load_resource

            return load_resource(Serverless, "ManagedPolicies.json")

    with open(template_path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    for resource in (template.get("Resources") or {}).values():
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(properties, dict):
            placeholder_code_uri(properties)
    function_globals = (template.get("Globals") or {}).get("Function") or {}
    placeholder_code_uri(function_globals)

    try:
        transformed = transform(template, parameter_values, ShippedManagedPolicies())
    except InvalidDocumentException as e:
        for cause in e.causes:
            print("sam_transform: " + cause.message, file=sys.stderr)
        sys.exit(2)
    json.dump(transformed, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


def placeholder_code_uri(properties):
    """A local CodeUri (a directory `sam build` packages) as the S3 URI the transform requires."""
    code_uri = properties.get("CodeUri")
    if isinstance(code_uri, str) and not code_uri.startswith("s3://"):
        properties["CodeUri"] = "s3://sam-local-build/" + (code_uri.strip("./") or "project")


main()
