import Foundation

/// Runs a program to completion, feeding standard input and collecting both
/// outputs concurrently (so no pipe can fill up and block the child). The one
/// process runner the test suites share.
enum TestProcess {
    struct Result {
        /// Exit status, or 128 + the signal number when a signal ended it.
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
        var seconds: Double
    }

    /// Runs `argv[0]` with the other elements as arguments. The environment is
    /// this process's with `NO_COLOR=1`, `SWIFT_BACKTRACE=enable=no` and
    /// `SAVEIMG_LOCAL_TARGET=off` (commands given no target do not ask this
    /// machine's libvirt, so that results do not depend on it; tests of that
    /// lookup set it back), plus `environment`. Without `stdin`, standard input is /dev/null.
    static func run(_ argv: [String], stdin: [UInt8]? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["SWIFT_BACKTRACE"] = "enable=no"
        env["SAVEIMG_LOCAL_TARGET"] = "off"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        let start = Date()
        try process.run()
        let group = DispatchGroup()
        if let stdin {
            group.enter()
            DispatchQueue.global().async {
                input.fileHandleForWriting.write(Data(stdin))
                try? input.fileHandleForWriting.close()
                group.leave()
            }
        }
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
        return Result(status: status, stdout: [UInt8](outData), stderr: [UInt8](errData),
                      seconds: Date().timeIntervalSince(start))
    }

    /// Starts `argv` in the background with its output discarded, for tests
    /// that act on it while it runs (e.g. held inside a system call by strace).
    static func start(_ argv: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Polls every 20 ms, at most `attempts` times, until saveimg's temporary
    /// files appear beside `path`; returns them (empty if none appeared).
    static func awaitTemporaries(beside path: String, attempts: Int) -> [String] {
        var temporaries: [String] = []
        for _ in 0..<attempts where temporaries.isEmpty {
            usleep(20_000)
            temporaries = leftoverTemporaries(beside: path)
        }
        return temporaries
    }
}
