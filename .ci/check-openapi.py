"""The contract file is valid OpenAPI 3.1, and every example in it is valid against its schema.

Run with the Python of a venv holding openapi-spec-validator (see .ci/run)."""

import sys

import yaml
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

PATH = sys.argv[1] if len(sys.argv) > 1 else "docs/central-api.openapi.yaml"


def escape(part):
    return str(part).replace("~", "~0").replace("/", "~1")


def main():
    with open(PATH, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    validate(doc)
    registry = Registry().with_resource(
        "urn:contract", Resource(contents=doc, specification=DRAFT202012)
    )

    def follow(pointer):
        """The object at `pointer`, following a $ref it holds, and where it lives."""
        node = doc
        for part in pointer.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        if isinstance(node, dict) and "$ref" in node:
            return follow(node["$ref"].lstrip("#"))
        return node, pointer

    checked = failures = 0
    for path, item in doc["paths"].items():
        for method, op in item.items():
            holders = []
            if "requestBody" in op:
                holders.append(f"/paths/{escape(path)}/{method}/requestBody")
            for status in op.get("responses", {}):
                holders.append(f"/paths/{escape(path)}/{method}/responses/{escape(status)}")
            for pointer in holders:
                holder, where = follow(pointer)
                for media, content in holder.get("content", {}).items():
                    schema = f"urn:contract#{where}/content/{escape(media)}/schema"
                    validator = OAS31Validator(
                        {"$ref": schema},
                        registry=registry,
                        format_checker=OAS31Validator.FORMAT_CHECKER,
                    )
                    for name, example in content.get("examples", {}).items():
                        checked += 1
                        errors = list(validator.iter_errors(example["value"]))
                        for e in errors:
                            failures += 1
                            print(f"{op['operationId']} {pointer} {name}: {e.message} at {list(e.absolute_path)}")
    print(f"{PATH}: valid OpenAPI; {checked} examples checked, {failures} problems")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
