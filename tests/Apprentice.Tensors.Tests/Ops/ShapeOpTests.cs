namespace Apprentice.Tensors.Tests.Ops;

public class ShapeOpTests
{
    private static Tensor Counting(params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var s = t.AsSpan();
        for (int i = 0; i < s.Length; i++) s[i] = i;
        return t;
    }

    [Fact]
    public void ReshapeIsAViewAndInfersOneDimension()
    {
        var x = Counting(2, 3, 4);
        var y = x.Reshape(6, -1);
        Assert.Equal([6, 4], y.Shape.ToArray());
        x.AsSpan()[5] = 100f;
        Assert.Equal(100f, y[1, 1]);
        var e = Assert.Throws<ArgumentException>(() => x.Reshape(5, -1));
        Assert.Contains("[2, 3, 4]", e.Message);
    }

    [Fact]
    public unsafe void ZerosAlignedStartsOnACacheLineAndBehavesLikeAnyTensor()
    {
        // Sizes from one value to past the large-object threshold: each array lands somewhere
        // else, so most need an offset to reach a line.
        foreach (int size in new[] { 1, 3, 17, 256, 4352, 65536 })
        {
            var t = Tensor.ZerosAligned(size);
            fixed (float* p = t.Span) Assert.Equal(0, (long)p % 64);
            Assert.Equal(size, t.Span.Length);
            Assert.All(t.ToArray(), v => Assert.Equal(0f, v));
        }
        var x = Tensor.ZerosAligned(2, 3, 4);
        var values = x.AsSpan();
        for (int i = 0; i < values.Length; i++) values[i] = i;
        Assert.Equal(Counting(2, 3, 4).ToArray(), x.ToArray());
        Assert.Equal(23f, x[1, 2, 3]);
        Assert.Equal(Counting(2, 3, 4).ToString(), x.ToString());
        var view = x.Reshape(6, 4);
        x.AsSpan()[5] = 100f;
        Assert.Equal(100f, view[1, 1]);                                     // the view reads through the same offset
        Assert.Equal(100f, x.Reshape(-1).Slice(0, 5, 1).Item());
        Assert.Equal(x.ToArray(), x.Clone().ToArray());
        Assert.Equal(x.ToArray(), x.Detach().ToArray());
        Assert.Equal(x.ToArray().Select(v => 2f * v).ToArray(), (x * 2f).ToArray());  // ops read it through the offset too
        var copy = Tensor.ZerosAligned(2, 3, 4);
        copy.CopyFrom(x);
        Assert.Equal(x.ToArray(), copy.ToArray());

        // Pinned: a compacting collection does not move it off its line.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        fixed (float* p = x.Span) Assert.Equal(0, (long)p % 64);
        Assert.Equal(100f, x[0, 1, 1]);
    }

    [Fact]
    public void PermuteTransposeSliceConcatAndIndexSelectMoveTheRightElements()
    {
        var x = Counting(2, 3, 4);
        var p = x.Permute(2, 0, 1);
        Assert.Equal([4, 2, 3], p.Shape.ToArray());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) Assert.Equal(x[i, j, k], p[k, i, j]);
        Assert.Equal(x[1, 2, 3], x.Transpose(0, 2)[3, 2, 1]);
        var s = x.Slice(2, 1, 2);
        Assert.Equal([2, 3, 2], s.Shape.ToArray());
        Assert.Equal(x[1, 2, 2], s[1, 2, 1]);
        var c = Tensor.Concat([x, s], 2);
        Assert.Equal([2, 3, 6], c.Shape.ToArray());
        Assert.Equal(x[1, 1, 3], c[1, 1, 3]);
        Assert.Equal(s[1, 1, 1], c[1, 1, 5]);
        var sel = x.IndexSelect(1, [2, 2, 0]);
        Assert.Equal(x[0, 2, 1], sel[0, 1, 1]);
        Assert.Equal(x[1, 0, 3], sel[1, 2, 3]);
        Assert.Equal([2, 3, 4], Tensor.Stack([Counting(3, 4), Counting(3, 4)]).Shape.ToArray()[..3]);
        Assert.Throws<IndexOutOfRangeException>(() => x.IndexSelect(1, [3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice(1, 2, 2));
    }

    [Fact]
    public void WhereMaximumMinimumAndClampSelectElementwise()
    {
        var a = Tensor.FromArray([1f, -2f, 3f, -4f]);
        var b = Tensor.FromArray([0f, 0f, 5f, -5f]);
        Assert.Equal([1f, 0f, 5f, -4f], Tensor.Maximum(a, b).ToArray());
        Assert.Equal([0f, -2f, 3f, -5f], Tensor.Minimum(a, b).ToArray());
        Assert.Equal([1f, 0f, 3f, 0f], Tensor.Where(a.Gt(0f), a, Tensor.Scalar(0f)).ToArray());
        Assert.Equal([1f, -2f, 2.5f, -2.5f], a.Clamp(-2.5f, 2.5f).ToArray());
    }

    [Fact]
    public void ReductionsOverAxesAndAll()
    {
        var x = Counting(2, 3);
        Assert.Equal(15f, x.Sum().Item());
        Assert.Equal([3f, 5f, 7f], x.Sum(0).ToArray());
        Assert.Equal([3f, 12f], x.Sum(1).ToArray());
        Assert.Equal([2, 1], x.Sum(1, keepDim: true).Shape.ToArray());
        Assert.Equal([2f, 5f], x.Max(1).ToArray());
        Assert.Equal([0f, 1f, 2f], x.Min(0).ToArray());
        Assert.Equal([2, 2], x.ArgMax(1));
        Assert.Equal(2.5f, x.Mean().Item());
        Assert.Equal(MathF.Log(MathF.Exp(3) + MathF.Exp(4) + MathF.Exp(5)), x.LogSumExp(1)[1], 5);
    }

    [Fact]
    public void ToStringShowsShapeAndValues()
    {
        Assert.Equal("Tensor[2, 2] [[0, 1], [2, 3]]", Counting(2, 2).ToString());
        Assert.Equal("Tensor[] 1.5", Tensor.Scalar(1.5f).ToString());
    }
}
