import ConnectionFuzzing

#if FUZZING
/// libFuzzer's entry point (`make fuzz` builds with `-sanitize=fuzzer,address -DFUZZING`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ConnectionFuzzing.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#else
import Foundation

/// Without the fuzzer: replays the files named on the command line, e.g. a crash
/// from Tests/Fuzz/crashes/, through the same harness.
@main
struct ConnectionFuzzerReplay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes.withUnsafeBytes { ConnectionFuzzing.run($0) }
            print("replayed \(path) (\(bytes.count) bytes)")
        }
    }
}
#endif
