using System.Runtime.Versioning;

// SoftHSM, its token directories and 0600 files: these tests run on Linux.
[assembly: SupportedOSPlatform("linux")]

// One PKCS#11 module per process and one daemon per run: the end-to-end tests share a fixture and run in sequence.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
