using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Descriptors;
using NBitcoin.WalletPolicies;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>
/// Output descriptors: the test vectors of BIP380 (checksum, key expressions), BIP381 (pk, pkh,
/// sh), BIP382 (wpkh, wsh), BIP383 (multi, sortedmulti), BIP386 (tr) and BIP387 (multi_a,
/// sortedmulti_a), copied from the BIPs, and derived addresses checked against NBitcoin's own
/// descriptor (wallet policy) implementation.
/// </summary>
public class DescriptorTests
{
    // Descriptor, then the scripts at indexes 0, 1, 2 (one script when not ranged).
    public static TheoryData<string, string, string[]> ValidVectors => new()
    {
        // BIP381
        { "BIP381", "pk(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)", ["2103a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bdac"] },
        { "BIP381", "pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", ["2103a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bdac"] },
        { "BIP381", "pkh([deadbeef/1/2'/3/4']L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)", ["76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac"] },
        { "BIP381", "pkh([deadbeef/1/2'/3/4']03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", ["76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac"] },
        { "BIP381", "pkh([deadbeef/1/2h/3/4h]03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", ["76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac"] },
        { "BIP381", "pk(5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)", ["4104a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235ac"] },
        { "BIP381", "pk(04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235)", ["4104a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235ac"] },
        { "BIP381", "pkh(5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)", ["76a914b5bd079c4d57cc7fc28ecf8213a6b791625b818388ac"] },
        { "BIP381", "sh(pk(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1))", ["a9141857af51a5e516552b3086430fd8ce55f7c1a52487"] },
        { "BIP381", "sh(pkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))", ["a9141a31ad23bf49c247dd531a623c2ef57da3c400c587"] },
        { "BIP381", "pkh(xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/2147483647'/0)", ["76a914ebdc90806a9c4356c1c88e42216611e1cb4c1c1788ac"] },
        { "BIP381", "pkh([bd16bee5/2147483647h]xpub69H7F5dQzmVd3vPuLKtcXJziMEQByuDidnX3YdwgtNsecY5HRGtAAQC5mXTt4dsv9RzyjgDjAQs9VGVV6ydYCHnprc9vvaA5YtqWyL6hyds/0)", ["76a914ebdc90806a9c4356c1c88e42216611e1cb4c1c1788ac"] },
        { "BIP381", "pk(xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L/0)", ["210379e45b3cf75f9c5f9befd8e9506fb962f6a9d185ac87001ec44a8d3df8d4a9e3ac"] },
        { "BIP381", "pk(xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y/0)", ["210379e45b3cf75f9c5f9befd8e9506fb962f6a9d185ac87001ec44a8d3df8d4a9e3ac"] },
        // BIP382
        { "BIP382", "wpkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)", ["00149a1c78a507689f6f54b847ad1cef1e614ee23f1e"] },
        { "BIP382", "wpkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", ["00149a1c78a507689f6f54b847ad1cef1e614ee23f1e"] },
        { "BIP382", "wpkh([ffffffff/13']xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt/1/2/0)", ["0014326b2249e3a25d5dc60935f044ee835d090ba859"] },
        { "BIP382", "wpkh([ffffffff/13']xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH/1/2/*)",
            ["0014326b2249e3a25d5dc60935f044ee835d090ba859", "0014af0bd98abc2f2cae66e36896a39ffe2d32984fb7", "00141fa798efd1cbf95cebf912c031b8a4a6e9fb9f27"] },
        { "BIP382", "wsh(pkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1))", ["0020338e023079b91c58571b20e602d7805fb808c22473cbc391a41b1bd3a192e75b"] },
        { "BIP382", "wsh(pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))", ["00202e271faa2325c199d25d22e1ead982e45b64eeb4f31e73dbdf41bd4b5fec23fa"] },
        { "BIP382", "sh(wsh(pkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)))", ["a914b61b92e2ca21bac1e72a3ab859a742982bea960a87"] },
        // BIP383
        { "BIP383", "multi(1,L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1,5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)", ["512103a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd4104a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea23552ae"] },
        { "BIP383", "sortedmulti(1,04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", ["512103a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd4104a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea23552ae"] },
        { "BIP383", "sh(multi(2,[00000000/111'/222]xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc,xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L/0))", ["a91445a9a622a8b0a1269944be477640eedc447bbd8487"] },
        { "BIP383", "sortedmulti(2,xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/*,xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y/0/0/*)",
            ["5221025d5fc65ebb8d44a5274b53bac21ff8307fec2334a32df05553459f8b1f7fe1b62102fbd47cc8034098f0e6a94c6aeee8528abf0a2153a5d8e46d325b7284c046784652ae",
             "52210264fd4d1f5dea8ded94c61e9641309349b62f27fbffe807291f664e286bfbe6472103f4ece6dfccfa37b211eb3d0af4d0c61dba9ef698622dc17eecdf764beeb005a652ae",
             "5221022ccabda84c30bad578b13c89eb3b9544ce149787e5b538175b1d1ba259cbb83321024d902e1a2fc7a8755ab5b694c575fce742c48d9ff192e63df5193e4c7afe1f9c52ae"] },
        { "BIP383", "sh(wsh(multi(16,03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0,0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600,0362a74e399c39ed5593852a30147f2959b56bb827dfa3e60e464b02ccf87dc5e8,0261345b53de74a4d721ef877c255429961b7e43714171ac06168d7e08c542a8b8,02da72e8b46901a65d4374fe6315538d8f368557dda3a1dcf9ea903f3afe7314c8,0318c82dd0b53fd3a932d16e0ba9e278fcc937c582d5781be626ff16e201f72286,0297ccef1ef99f9d73dec9ad37476ddb232f1238aff877af19e72ba04493361009,02e502cfd5c3f972fe9a3e2a18827820638f96b6f347e54d63deb839011fd5765d,03e687710f0e3ebe81c1037074da939d409c0025f17eb86adb9427d28f0f7ae0e9,02c04d3a5274952acdbc76987f3184b346a483d43be40874624b29e3692c1df5af,02ed06e0f418b5b43a7ec01d1d7d27290fa15f75771cb69b642a51471c29c84acd,036d46073cbb9ffee90473f3da429abc8de7f8751199da44485682a989a4bebb24,02f5d1ff7c9029a80a4e36b9a5497027ef7f3e73384a4a94fbfe7c4e9164eec8bc,02e41deffd1b7cce11cde209a781adcffdabd1b91c0ba0375857a2bfd9302419f3,02d76625f7956a7fc505ab02556c23ee72d832f1bac391bcd2d3abce5710a13d06,0399eb0a5487515802dc14544cf10b3666623762fbed2ec38a3975716e2c29c232)))", ["a9147fc63e13dc25e8a95a3cee3d9a714ac3afd96f1e87"] },
        { "BIP383", "wsh(multi(20,KzoAz5CanayRKex3fSLQ2BwJpN7U52gZvxMyk78nDMHuqrUxuSJy,KwGNz6YCCQtYvFzMtrC6D3tKTKdBBboMrLTsjr2NYVBwapCkn7Mr,KxogYhiNfwxuswvXV66eFyKcCpm7dZ7TqHVqujHAVUjJxyivxQ9X,L2BUNduTSyZwZjwNHynQTF14mv2uz2NRq5n5sYWTb4FkkmqgEE9f,L1okJGHGn1kFjdXHKxXjwVVtmCMR2JA5QsbKCSpSb7ReQjezKeoD,KxDCNSST75HFPaW5QKpzHtAyaCQC7p9Vo3FYfi2u4dXD1vgMiboK,L5edQjFtnkcf5UWURn6UuuoFrabgDQUHdheKCziwN42aLwS3KizU,KzF8UWFcEC7BYTq8Go1xVimMkDmyNYVmXV5PV7RuDicvAocoPB8i,L3nHUboKG2w4VSJ5jYZ5CBM97oeK6YuKvfZxrefdShECcjEYKMWZ,KyjHo36dWkYhimKmVVmQTq3gERv3pnqA4xFCpvUgbGDJad7eS8WE,KwsfyHKRUTZPQtysN7M3tZ4GXTnuov5XRgjdF2XCG8faAPmFruRF,KzCUbGhN9LJhdeFfL9zQgTJMjqxdBKEekRGZX24hXdgCNCijkkap,KzgpMBwwsDLwkaC5UrmBgCYaBD2WgZ7PBoGYXR8KT7gCA9UTN5a3,KyBXTPy4T7YG4q9tcAM3LkvfRpD1ybHMvcJ2ehaWXaSqeGUxEdkP,KzJDe9iwJRPtKP2F2AoN6zBgzS7uiuAwhWCfGdNeYJ3PC1HNJ8M8,L1xbHrxynrqLKkoYc4qtoQPx6uy5qYXR5ZDYVYBSRmCV5piU3JG9,KzRedjSwMggebB3VufhbzpYJnvHfHe9kPJSjCU5QpJdAW3NSZxYS,Kyjtp5858xL7JfeV4PNRCKy2t6XvgqNNepArGY9F9F1SSPqNEMs3,L2D4RLHPiHBidkHS8ftx11jJk1hGFELvxh8LoxNQheaGT58dKenW,KyLPZdwY4td98bKkXqEXTEBX3vwEYTQo1yyLjX2jKXA63GBpmSjv))", ["0020376bd8344b8b6ebe504ff85ef743eaa1aa9272178223bcb6887e9378efb341ac"] },
        // BIP386
        { "BIP386", "tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", ["512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11"] },
        { "BIP386", "tr(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)", ["512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11"] },
        { "BIP386", "tr(xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc/0/*,pk(xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc/1/*))",
            ["512078bc707124daa551b65af74de2ec128b7525e10f374dc67b64e00ce0ab8b3e12", "512001f0a02a17808c20134b78faab80ef93ffba82261ccef0a2314f5d62b6438f11", "512021024954fcec88237a9386fce80ef2ced5f1e91b422b26c59ccfc174c8d1ad25"] },
        { "BIP386", "tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,pk(669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))", ["512017cf18db381d836d8923b1bdb246cfcd818da1a9f0e6e7907f187f0b2f937754"] },
        { "BIP386", "tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,{pk(xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334/0),{{pk(xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL),pk(02df12b7035bdac8e3bab862a3a83d06ea6b17b6753d52edecba9be46f5d09e076)},pk(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)}})", ["512071fff39599a7b78bc02623cbe814efebf1a404f5d8ad34ea80f213bd8943f574"] },
        // BIP387
        { "BIP387", "tr(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1,multi_a(1,KzoAz5CanayRKex3fSLQ2BwJpN7U52gZvxMyk78nDMHuqrUxuSJy))", ["5120eb5bd3894327d75093891cc3a62506df7d58ec137fcd104cdd285d67816074f3"] },
        { "BIP387", "tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,multi_a(1,669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))", ["5120eb5bd3894327d75093891cc3a62506df7d58ec137fcd104cdd285d67816074f3"] },
        { "BIP387", "tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,multi_a(2,[00000000/111'/222]xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc,xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L/0))", ["51202eea93581594a43c0c8423b70dc112e5651df63984d108d4fc8ccd3b63b4eafa"] },
        { "BIP387", "tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,sortedmulti_a(2,[00000000/111'/222]xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc,xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L/0))", ["512016fa6a6ba7e98c54b5bf43b3144912b78a61b60b02f6a74172b8dcb35b12bc30"] },
        { "BIP387", "tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,sortedmulti_a(2,xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/*,xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y/0/0/*))",
            ["5120abd47468515223f58a1a18edfde709a7a2aab2b696d59ecf8c34f0ba274ef772", "5120fe62e7ed20705bd1d3678e072bc999acb014f07795fa02cb8f25a7aa787e8cbd", "51201311093750f459039adaa2a5ed23b0f7a8ae2c2ffb07c5390ea37e2fb1050b41"] },
    };

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void Vector_scripts_are_reproduced(string bip, string text, string[] scripts)
    {
        var descriptor = OutputDescriptor.Parse(text, allowPrivateKeys: true);
        Assert.Equal(scripts.Length > 1, descriptor.IsRanged);
        for (var i = 0; i < scripts.Length; i++)
            Assert.True(scripts[i] == Convert.ToHexStringLower(descriptor.ScriptPubKey(0, (uint)i)), $"{bip} {text} index {i}");
        // The printed form (public keys, h, checksum) parses back to the same scripts.
        var printed = descriptor.ToString(BitcoinNetwork.Mainnet);
        var again = OutputDescriptor.Parse(printed, requireChecksum: true);
        for (var i = 0; i < scripts.Length; i++)
            Assert.Equal(scripts[i], Convert.ToHexStringLower(again.ScriptPubKey(0, (uint)i)));
    }

    // BIP380 checksum vectors.
    [Fact]
    public void Bip380_checksums()
    {
        Assert.Equal("89f8spxm", DescriptorChecksum.Compute("raw(deadbeef)"));
        Assert.Equal("raw(deadbeef)", DescriptorChecksum.Strip("raw(deadbeef)#89f8spxm", out var had));
        Assert.True(had);
        DescriptorChecksum.Strip("raw(deadbeef)", out had);
        Assert.False(had);
        foreach (var bad in new[] { "raw(deadbeef)#", "raw(deadbeef)#89f8spxmx", "raw(deadbeef)#89f8spx", "raw(deedbeef)#89f8spxm", "raw(deedbeef)##9f8spxm", "raw(Ü)#00000000" })
            Assert.Throws<InvalidInputException>(() => DescriptorChecksum.Strip(bad, out _));
    }

    // BIP380 key expressions, wrapped in pk() (tr() for the x-only one).
    [Theory]
    [InlineData("0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600")]
    [InlineData("04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235")]
    [InlineData("[deadbeef/0h/0h/0h]0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600")]
    [InlineData("[deadbeef/0'/0'/0']0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600")]
    [InlineData("[deadbeef/0'/0h/0']0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600")]
    [InlineData("xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL")]
    [InlineData("[deadbeef/0h/1h/2h]xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/3/4/5")]
    [InlineData("[deadbeef/0h/1h/2h]xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/3/4/5/*")]
    [InlineData("[deadbeef/0h/1h/2h]xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc/3/4/5/*")]
    [InlineData("xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc/3h/4h/5h/*")]
    [InlineData("L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1")]
    public void Bip380_valid_key_expressions(string key) => OutputDescriptor.Parse($"pk({key})", allowPrivateKeys: true);

    [Theory]
    [InlineData("[deadbeef/0h/0h/0h/*]0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600", "key origin '*'")]
    [InlineData("[deadbeef/0h/0h/0h/]0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600", "key origin ''")]
    [InlineData("[deadbef/0h/0h/0h]0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600", "fingerprint")]
    [InlineData("[deadbeeef/0h/0h/0h]0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600", "fingerprint")]
    [InlineData("[deadbeef/0f/0f/0f]0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600", "'0f'")]
    [InlineData("[deadbeef/0H/0H/0H]0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600", "'0H'")]
    [InlineData("[deadbeef/-0/-0/-0]0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600", "'-0'")]
    [InlineData("L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1/0", "no derivation steps")]
    [InlineData("L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1/*", "no derivation steps")]
    [InlineData("xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/2147483648", "out of range")]
    [InlineData("xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/1aa", "'1aa'")]
    [InlineData("[aaaaaaaa][aaaaaaaa]xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/2147483647'/0", "more than one key origin")]
    [InlineData("aaaaaaaa]xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/2147483647'/0", "key origin must come first")]
    [InlineData("[gaaaaaaa]xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/2147483647'/0", "fingerprint")]
    [InlineData("[deadbeef]", "without a key")]
    public void Bip380_invalid_key_expressions_are_refused_naming_the_problem(string key, string problem)
    {
        var e = Assert.Throws<InvalidInputException>(() => OutputDescriptor.Parse($"pk({key})", allowPrivateKeys: true));
        Assert.Equal("descriptor", e.Field);
        Assert.Contains(problem, e.Reason, StringComparison.Ordinal);
    }

    // Invalid descriptors of BIP381, 382, 383, 386, 387.
    [Theory]
    [InlineData("pk(pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))", "expected a key")]
    [InlineData("pkh(pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))", "expected a key")]
    [InlineData("sh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", "expected a script expression")]
    [InlineData("sh(sh(pkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)))", "top level only")]
    [InlineData("wpkh(5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)", "uncompressed")]
    [InlineData("sh(wpkh(04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235))", "uncompressed")]
    [InlineData("wsh(pk(5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss))", "uncompressed")]
    [InlineData("wsh(wpkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))", "cannot be nested")]
    [InlineData("wsh(wsh(pkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)))", "cannot be nested")]
    [InlineData("sh(wsh(wsh(pkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))))", "cannot be nested")]
    [InlineData("wpkh(wsh(pkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)))", "expected a key")]
    [InlineData("wsh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", "expected a script expression")]
    [InlineData("multi(a,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235)", "threshold")]
    [InlineData("multi(0,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235)", "threshold 0")]
    [InlineData("multi(3,L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1,5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)", "threshold 3")]
    [InlineData("tr(5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)", "uncompressed")]
    [InlineData("tr(04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235)", "uncompressed")]
    [InlineData("wsh(tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))", "top level only")]
    [InlineData("sh(tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))", "top level only")]
    [InlineData("tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd, pkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1))", "expected a script expression")]
    [InlineData("tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,pkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1))", "pkh() is not allowed")]
    [InlineData("multi_a(1,03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0)", "only valid in a tr() tree")]
    [InlineData("sh(multi_a(1,03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))", "only valid in a tr() tree")]
    [InlineData("wsh(multi_a(1,03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))", "only valid in a tr() tree")]
    [InlineData("tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,multi_a(a,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))", "threshold")]
    [InlineData("tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,multi_a(0,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))", "threshold 0")]
    [InlineData("tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,multi_a(1,04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235))", "uncompressed")]
    [InlineData("tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,multi_a(3,L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1,5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss))", "uncompressed")]
    // Custody's own limits: public keys only, no hardened wildcard, no raw()/addr().
    [InlineData("sh(wpkh(xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi/10/20/30/40/*'))", "hardened wildcard")]
    [InlineData("raw(deadbeef)", "raw() does not describe keys")]
    [InlineData("wpkh(xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/1h/*)", "needs its private key")]
    [InlineData("wpkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd", "ends where ')'")]
    [InlineData("wpkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)x", "after the descriptor")]
    public void Invalid_descriptors_are_refused_naming_the_problem(string text, string problem)
    {
        var e = Assert.Throws<InvalidInputException>(() => OutputDescriptor.Parse(text, allowPrivateKeys: true));
        Assert.Equal("descriptor", e.Field);
        Assert.Contains(problem, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Private_keys_are_refused_unless_asked_for()
    {
        var e = Assert.Throws<InvalidInputException>(() => OutputDescriptor.Parse("wpkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)"));
        Assert.Contains("public keys only", e.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("L4rK1yDt", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidInputException>(() => OutputDescriptor.Parse("tr(xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc/0/*)"));
        Assert.Contains("public keys only", e.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("xprvA1RpRA33e1JQ7ifk", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_checksum_is_refused_when_required_and_a_wrong_one_always()
    {
        const string body = "wpkh([ffffffff/13']xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH/1/2/*)";
        Assert.Contains("no checksum", Assert.Throws<InvalidInputException>(() => OutputDescriptor.Parse(body, requireChecksum: true)).Reason, StringComparison.Ordinal);
        var sum = DescriptorChecksum.Compute(body);
        Assert.Equal("0014326b2249e3a25d5dc60935f044ee835d090ba859",
            Convert.ToHexStringLower(OutputDescriptor.Parse(body + "#" + sum, requireChecksum: true).ScriptPubKey(0, 0)));
        var wrong = body.Replace("/2/*", "/3/*", StringComparison.Ordinal) + "#" + sum;
        Assert.Contains("does not match", Assert.Throws<InvalidInputException>(() => OutputDescriptor.Parse(wrong)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parsing_is_bounded()
    {
        var deep = "tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd," + new string('{', 200) + "pk(669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0)";
        Assert.Contains("deeper than 128", Assert.Throws<InvalidInputException>(() => OutputDescriptor.Parse(deep)).Reason, StringComparison.Ordinal);
        var huge = "wpkh(" + new string('0', DescriptorParser.MaxLength) + ")";
        Assert.Contains("longer than", Assert.Throws<InvalidInputException>(() => OutputDescriptor.Parse(huge)).Reason, StringComparison.Ordinal);
    }

    // BIP48-style 2-of-3 accounts with multipath receive/change, as a coordinator exports them.
    private const string Xpub1 = "[73c5da0a/48h/0h/0h/2h]xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH/<0;1>/*";
    private const string Xpub2 = "[c0b5a1f2/48h/0h/0h/2h]xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/<0;1>/*";
    private const string Xpub3 = "[deadbeef/48h/0h/0h/2h]xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y/<0;1>/*";

    public static TheoryData<string> AccountDescriptors => new()
    {
        $"wpkh({Xpub1})",
        $"sh(wpkh({Xpub1}))",
        $"tr({Xpub1})",
        $"wsh(sortedmulti(2,{Xpub1},{Xpub2},{Xpub3}))",
        $"sh(wsh(sortedmulti(2,{Xpub1},{Xpub2},{Xpub3})))",
        $"sh(sortedmulti(2,{Xpub1},{Xpub2},{Xpub3}))",
        $"wsh(multi(2,{Xpub1},{Xpub2},{Xpub3}))",
        $"tr({Xpub1},sortedmulti_a(2,{Xpub1},{Xpub2},{Xpub3}))",
    };

    [Theory]
    [MemberData(nameof(AccountDescriptors))]
    public void Receive_and_change_addresses_agree_with_NBitcoin(string text)
    {
        var ours = OutputDescriptor.Parse(text);
        Assert.Equal(2, ours.Branches);
        var theirs = Miniscript.Parse(text, new MiniscriptParsingSettings(NBitcoin.Network.Main) { Dialect = MiniscriptDialect.BIP388 });
        foreach (var (branch, intent) in new[] { (0, AddressIntent.Deposit), (1, AddressIntent.Change) })
            for (uint i = 0; i < 3; i++)
            {
                var expected = theirs.Derive(intent, (int)i).Miniscript.ToScripts().ScriptPubKey;
                Assert.Equal(expected.ToHex(), Convert.ToHexStringLower(ours.ScriptPubKey(branch, i)));
                Assert.Equal(expected.GetDestinationAddress(NBitcoin.Network.Main)!.ToString(), ours.Address(BitcoinNetwork.Mainnet, branch, i));
            }
    }

    [Fact]
    public void The_descriptor_prints_back_with_h_and_its_checksum()
    {
        var text = $"wsh(sortedmulti(2,{Xpub1},{Xpub2},{Xpub3}))";
        var printed = OutputDescriptor.Parse(text).ToString(BitcoinNetwork.Mainnet);
        Assert.Equal(text + "#" + DescriptorChecksum.Compute(text), printed);
    }

    [Fact]
    public void Segwit_addresses_are_refused_where_the_network_has_no_segwit()
    {
        var descriptor = OutputDescriptor.Parse($"wsh(sortedmulti(2,{Xpub1},{Xpub2},{Xpub3}))");
        Assert.Contains("no segwit", Assert.Throws<InvalidInputException>(() => descriptor.Address(BitcoinNetwork.Dogecoin, 0, 0)).Reason, StringComparison.Ordinal);
        Assert.Contains("branch", Assert.Throws<InvalidInputException>(() => descriptor.Address(BitcoinNetwork.Mainnet, 2, 0)).Field, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutated_descriptors_parse_or_are_refused_cleanly()
    {
        var corpus = new List<string>();
        foreach (var row in AccountDescriptors) corpus.Add(row);
        const string alphabet = "0123456789()[],'/*<>;{}#habcxpubwshtrmulti_";
        var random = new Random(380);
        var coverage = new FuzzCoverage("mutated descriptors");
        for (var i = 0; i < 4_000; i++)
        {
            var text = corpus[random.Next(corpus.Count)].ToCharArray();
            for (var m = 1 + random.Next(3); m > 0; m--)
                text[random.Next(text.Length)] = alphabet[random.Next(alphabet.Length)];
            coverage.Try(() =>
            {
                var descriptor = OutputDescriptor.Parse(new string(text));
                descriptor.ScriptPubKey(0, 5);
            });
        }
        coverage.AssertReached(minAccepted: 30, minRefused: 2_000); // most flips land in a Base58 key and break its checksum
    }
}
