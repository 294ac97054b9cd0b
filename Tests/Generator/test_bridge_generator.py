"""scripts/protoc-gen-swift-bridge.py on a small proto: its output for every
construct it carries (compared with the committed files in expected/), and the
one-line refusal of each construct it does not.

    python3 Tests/Generator/test_bridge_generator.py          # check
    python3 Tests/Generator/test_bridge_generator.py --update  # rewrite expected/
"""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GENERATOR = os.path.join(ROOT, "scripts", "protoc-gen-swift-bridge.py")
EXPECTED = os.path.join(HERE, "expected")


def generate(proto_text, name="sample.proto"):
    """Runs protoc-c and the generator on one proto file: (exit status, stderr, {path: text})."""
    with tempfile.TemporaryDirectory() as work:
        with open(os.path.join(work, name), "w") as handle:
            handle.write(proto_text)
        descriptors = os.path.join(work, "descriptors.pb")
        subprocess.run(
            ["protoc-c", f"--proto_path={work}", f"--c_out={work}", f"--descriptor_set_out={descriptors}", "--include_source_info", name],
            check=True, capture_output=True)
        package = next(line.split()[1].rstrip(";") for line in proto_text.splitlines() if line.startswith("package "))
        out = os.path.join(work, "out")
        run = subprocess.run([sys.executable, GENERATOR, descriptors, f"{package}={out}:CSample,RPCCore"], capture_output=True, text=True)
        files = {}
        for folder, _, names in os.walk(out):
            for file in names:
                path = os.path.join(folder, file)
                with open(path) as handle:
                    files[os.path.relpath(path, out)] = handle.read()
        return run.returncode, run.stderr, files


class GeneratorOutput(unittest.TestCase):
    def test_every_construct_it_carries_generates_the_expected_swift(self):
        with open(os.path.join(HERE, "sample.proto")) as handle:
            status, stderr, files = generate(handle.read())
        self.assertEqual(status, 0, stderr)
        self.assertEqual(sorted(files), ["sample.pb.swift", "sample.rpc.swift"])
        for name, text in files.items():
            with open(os.path.join(EXPECTED, name)) as handle:
                self.assertEqual(text, handle.read(), f"{name} differs from Tests/Generator/expected/{name}; rerun with --update if intended")

    def test_the_output_names_what_the_proto_declares(self):
        with open(os.path.join(HERE, "sample.proto")) as handle:
            _, _, files = generate(handle.read())
        messages, services = files["sample.pb.swift"], files["sample.rpc.swift"]
        for expected in ["public struct Sample_V1_Thing", "public struct Part", "public var `default`: String",
                         "case -1: self = .negative", "public var parts: [Sample_V1_Thing.Part]",
                         "public var parts: CRepeatedView<Sample_V1_Thing.Part.View>", "public var `default`: CText"]:
            self.assertIn(expected, messages)
        for expected in ["idempotency: .noSideEffects", "idempotency: .idempotent", "kind: .serverStreaming",
                         "func getWithoutWaiting(_ request: Sample_V1_Thing.View,", "func watch(_ request: Sample_V1_Empty, stream: ServerStream<Sample_V1_Thing>"]:
            self.assertIn(expected, services)
        self.assertNotIn("watchWithoutWaiting", services, "a stream always runs in a task")


class GeneratorRefusals(unittest.TestCase):
    """Each construct the bridge cannot carry stops the run with one line naming it."""

    def refused(self, body, imports=""):
        status, stderr, files = generate(f'syntax = "proto3";\n{imports}package refused.v1;\n{body}\n')
        self.assertNotEqual(status, 0, f"accepted: {body}")
        self.assertEqual(files, {}, "nothing is written")
        return stderr.strip()

    def test_a_repeated_scalar(self):
        self.assertEqual(self.refused("message M { repeated string tags = 1; }"),
                         "protoc-gen-swift-bridge: repeated string field tags is not supported yet")

    def test_a_oneof_field(self):
        # (protoc-c itself refuses proto3 `optional`, before the generator sees it.)
        self.assertEqual(self.refused("message M { oneof choice { string a = 1; } }"),
                         "protoc-gen-swift-bridge: field a is in a oneof or optional, which the bridge does not carry yet")

    def test_a_type_it_does_not_carry(self):
        self.assertEqual(self.refused("message M { double ratio = 1; }"),
                         "protoc-gen-swift-bridge: field ratio has type 1, which the bridge does not carry yet")
        self.assertIn("field data has type 12", self.refused("message M { bytes data = 1; }"))

    def test_a_field_that_would_hide_the_view_members(self):
        self.assertEqual(self.refused("message M { string message = 1; }"),
                         "protoc-gen-swift-bridge: field message would hide the generated View's `message`; rename it")
        self.assertIn("field c would hide", self.refused("message M { int32 c = 1; }"))

    def test_client_streaming(self):
        self.assertEqual(self.refused("message M {}\nservice S { rpc Up(stream M) returns (M); }"),
                         "protoc-gen-swift-bridge: client-streaming method Up is not supported by the protocol")


if __name__ == "__main__":
    if "--update" in sys.argv:
        with open(os.path.join(HERE, "sample.proto")) as handle:
            status, stderr, files = generate(handle.read())
        if status != 0:
            raise SystemExit(stderr)
        os.makedirs(EXPECTED, exist_ok=True)
        for name, text in files.items():
            with open(os.path.join(EXPECTED, name), "w") as handle:
                handle.write(text)
        print(f"wrote {', '.join(sorted(files))} to {EXPECTED}")
    else:
        unittest.main()
