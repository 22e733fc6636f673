using System.Reflection;
using Custody.Hsm.Pkcs11;

namespace Custody.Hsm.Tests;

/// <summary>Pkcs11Interop stays inside Custody.Hsm: no public signature mentions one of its types.</summary>
public class PublicSurfaceTests
{
    [Fact]
    public void No_public_member_of_Custody_Hsm_exposes_a_Pkcs11Interop_type()
    {
        var leaks = typeof(HsmConnection).Assembly.GetExportedTypes().SelectMany(Leaks).ToList();
        Assert.Empty(leaks);
    }

    [Fact]
    public void The_leak_finder_does_find_Pkcs11Interop_types_where_they_are()
    {
        // TokenSession is internal and made of Pkcs11Interop types: the check above must be able to see them.
        Assert.NotEmpty(Leaks(typeof(TokenSession)));
    }

    private static IEnumerable<string> Leaks(Type type)
    {
        const BindingFlags visible = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var member in type.GetMembers(visible))
        {
            var types = member switch
            {
                MethodBase m => m.GetParameters().Select(p => p.ParameterType).Append((m as MethodInfo)?.ReturnType ?? typeof(void)),
                PropertyInfo p => [p.PropertyType],
                FieldInfo f => [f.FieldType],
                EventInfo e => [e.EventHandlerType!],
                _ => [],
            };
            foreach (var t in types.SelectMany(Flatten))
                if (t.Namespace?.StartsWith("Net.Pkcs11Interop", StringComparison.Ordinal) == true)
                    yield return $"{type.Name}.{member.Name}: {t.FullName}";
        }
        if (type.BaseType is { } baseType && Flatten(baseType).Any(t => t.Namespace?.StartsWith("Net.Pkcs11Interop", StringComparison.Ordinal) == true))
            yield return $"{type.Name} derives from {baseType.FullName}";
    }

    private static IEnumerable<Type> Flatten(Type type)
    {
        yield return type;
        var inner = type.HasElementType ? [type.GetElementType()!] : type.IsGenericType ? type.GetGenericArguments() : [];
        foreach (var t in inner.SelectMany(Flatten)) yield return t;
    }
}
