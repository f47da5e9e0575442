import Foundation
import Testing
@testable import SaveImage

/// libxml2 never reads a file or the network; temporary files are private.
@Suite(.serialized) struct HostileSecurityTests {
    /// An image whose domain XML and cookie name a local file (external
    /// entity, external DTD, parameter entity) and a network URL.
    static func entityImage() throws -> [UInt8] {
        let prolog = """
            <!DOCTYPE domain SYSTEM "file://\(hostileSecretPath)" [
            <!ENTITY xxe SYSTEM "file://\(hostileSecretPath)">
            <!ENTITY net SYSTEM "http://127.0.0.1:9/x">
            <!ENTITY % p SYSTEM "file://\(hostileSecretPath)"> %p;]>

            """
        let xml = try Hostile.domainXML(inserting: "<description>&xxe;&net;</description>", prolog: prolog)
        let cookie = Array(("<!DOCTYPE cookie [<!ENTITY xxe SYSTEM \"file://\(hostileSecretPath)\">]>\n"
            + "<cookie><cpu mode='custom' match='exact'><model>Westmere</model><feature policy='require' name='&xxe;'/>"
            + "</cpu></cookie>").utf8)
        return try Hostile.image(domainXML: xml, chain: [cookie], padding: 65536)
    }

    /// Under `strace -f -e trace=openat,connect,socket`, reading, verifying and
    /// editing that image never opens the named file and never makes a socket.
    @Test(.enabled(if: HostileTools.strace, "needs /usr/bin/strace to observe system calls"))
    func libxml2NeverOpensFilesOrSockets() throws {
        try hostileSecret.write(toFile: hostileSecretPath, atomically: true, encoding: .utf8)
        let directory = try TemporaryDirectory()
        let image = try directory.write("vm.sav", try Self.entityImage())
        let cpu = try directory.write("cpu.xml", HostileConcurrencyTests.cpuXML)
        let log = directory.path + "/trace.txt"
        let commands: [[String]] = [
            ["inspect", image], ["inspect", "--json", image], ["dumpxml", image], ["verify", image],
            ["add-cpu-ext", image, "--cpu", cpu, "--output", directory.path + "/cpu.sav"],
            ["set-state", "--paused", image, "--output", directory.path + "/out.sav"],
        ]
        for arguments in commands {
            let run = try Hostile.saveimg(arguments, wrapper: ["/usr/bin/strace", "-f", "-qq", "-o", log,
                                                               "-e", "trace=openat,open,connect,socket"])
            #expect(!run.hungOrCrashed)
            #expect([0, 2, 3].contains(run.status), "\(arguments): \(run.stderr)")
            #expect(!run.output.contains(hostileSecret), "\(arguments[0]) printed the file's content")
            let trace = try String(contentsOfFile: log, encoding: .utf8)
            #expect(!trace.contains(hostileSecretPath), "\(arguments[0]) opened the entity's file")
            // glibc's user lookup (getpwuid, for file owners) may ask nscd over a local socket; nothing else may.
            let connects = trace.split(separator: "\n").filter { $0.contains("connect(") && !$0.contains("/var/run/nscd/socket") }
            #expect(connects.isEmpty, "\(arguments[0]) connected: \(connects)")
            #expect(!trace.contains("AF_INET"), "\(arguments[0]) made a network socket")
            #expect(trace.contains("openat("), "strace saw nothing: the check would be vacuous")
        }
        let out = try Hostile.read(directory.path + "/out.sav")
        #expect(!String(decoding: out, as: UTF8.self).contains(hostileSecret))
    }

    /// A growing edit's temporary file is mode 0600 while it is written (the
    /// edit is held in its first ftruncate or pwrite64 by strace), sits
    /// beside the image, and is gone afterwards; the result has the
    /// original's mode.
    @Test(.enabled(if: HostileTools.strace, "needs /usr/bin/strace to hold the edit mid-write"))
    func temporaryFilesAre0600AndRemoved() throws {
        let directory = try TemporaryDirectory()
        let image = try directory.write("vm.sav", try Fixtures.bytes("westmere-raw.sav"))
        chmod(image, 0o640)
        let grown = try directory.write("big.xml", try HostileCrashTests.grownDomainXML())
        for arguments in [["define", image, grown], ["convert", image, image, "--format", "gzip", "--threads", "1"]] {
            let process = try TestProcess.start(
                ["/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=ftruncate,pwrite64,write",
                 "-e", "inject=ftruncate,pwrite64:delay_enter=1500000:when=1", CLI.executable] + arguments)
            let temporaries = TestProcess.awaitTemporaries(beside: image, attempts: 100)
            #expect(temporaries.count == 1, "\(arguments[0]): \(temporaries)")
            // Look again well inside the 1.5 s hold: a mode set before the
            // held write (convert's direct writer once did) shows by now.
            usleep(400_000)
            for name in temporaries {
                let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/" + name)
                #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(arguments[0]): \(name)")
            }
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            #expect(leftoverTemporaries(beside: image).isEmpty)
            let mode = try FileManager.default.attributesOfItem(atPath: image)[.posixPermissions] as? Int
            #expect(mode == 0o640)
        }
    }
}
