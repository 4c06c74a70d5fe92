"""Prints the Cedar project's MCP schema generator's JSON schema for a tools/list document.

usage: reference_schema.py TOOLS.json NAMESPACE
Exit status 3 when the generator (pip package cedar-policy-mcp-schema-generator) is absent.
"""
import json
import sys

try:
    from cedar_mcp_schema_generator import generate_schema
except ImportError:
    sys.exit(3)

with open(sys.argv[1], encoding="utf-8") as handle:
    document = json.load(handle)
if isinstance(document, dict) and "result" in document:
    document = document["result"]
tools = document["tools"] if isinstance(document, dict) else document
stub = "namespace %s {\n  @mcp_principal\n  entity Agent;\n  @mcp_resource\n  entity McpServer;\n}\n" % sys.argv[2]
result = generate_schema(stub, tools, config={"objectsAsRecords": True})
if not result["isOk"]:
    print(result["error"], file=sys.stderr)
    sys.exit(1)
print(result["schemaJson"])
