// swift-tools-version:6.0
//
// saveimg: a toolkit for libvirt's QEMU save images.
//
// System libraries (install with scripts/install-deps.sh):
//   libxml2 (pkg-config libxml-2.0), zlib (pkg-config zlib), liblzma, libzstd,
//   libbz2; and, loaded with dlopen on first use (CSaveImageShims/lazy_libraries.c:
//   linked normally they were half of `inspect`'s start-up), OpenSSL's libcrypto
//   (Debian libssl-dev; libcrypto.so.3) and Intel ISA-L's igzip (Debian
//   libisal-dev; libisal.so.2): headers at build time, the library at first use.
//   libvirt's client library (libvirt.so.0; CSaveImageShims/libvirt_client.c) is
//   loaded the same way, without headers, only to ask this machine's libvirt;
//   without it saveimg falls back to virsh, else the QEMU binary.
import PackageDescription

let package = Package(
    name: "saveimg",
    products: [
        .library(name: "SaveImage", targets: ["SaveImage"]),
        .executable(name: "saveimg", targets: ["saveimg"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CLZMA",
            pkgConfig: "liblzma",
            providers: [.apt(["liblzma-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CBZip2",
            providers: [.apt(["libbz2-dev"])]
        ),
        // The one place that calls GNU-only libc functions (copy_file_range) that Swift's Glibc module does not export, and the lazy
        // loaders of ISA-L (gzip) and libcrypto (SHA-256).
        .target(name: "CSaveImageShims"),
        .target(
            name: "SaveImage",
            dependencies: [
                "CLibXML2",
                "CZlib",
                "CLZMA",
                "CZstd",
                "CBZip2",
                "CSaveImageShims",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "saveimg",
            dependencies: [
                "SaveImage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // libFuzzer target over the read path (scripts/fuzz.sh builds it with
        // -sanitize=fuzzer,address -DSAVEIMG_FUZZ; otherwise it is a stub).
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "saveimg-fuzz", dependencies: ["SaveImage", "CFuzzDriver"]),
        .testTarget(
            name: "SaveImageTests",
            // The CLI too: the help lint (Tests/SaveImageTests/Output/HelpLintTests.swift) renders every
            // subcommand's help in-process with ArgumentParser's helpMessage(for:columns:).
            dependencies: [
                "SaveImage", "saveimg",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: []
        ),
    ],
    swiftLanguageModes: [.v6]
)
