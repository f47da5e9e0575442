import Foundation

/// Runs the `saveimg` binary built next to the test bundle.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
        var output: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// The saveimg executable in the same build directory as this test runner.
    static var executable: String {
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: runner).deletingLastPathComponent()
        // The runner may sit inside a .xctest bundle directory.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("saveimg").path),
              directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("saveimg").path
    }

    /// Runs `saveimg arguments...` and waits for it.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let result = try TestProcess.run([executable] + arguments, environment: environment)
        return Result(status: result.status, stdout: result.stdout, stderr: String(decoding: result.stderr, as: UTF8.self))
    }
}
