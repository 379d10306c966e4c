using Apprentice.Tensors.Losses;
using Apprentice.Tensors.Nn;
using Apprentice.Tensors.Optim;
using Apprentice.Tensors.Random;

namespace Apprentice.Tensors.Tests;

public class TensorArenaTests
{
    /// <summary>Trains a small MLP for a few Adam steps, inside arena steps or not; returns the final parameters and the losses.</summary>
    private static (float[][] Parameters, float[] Losses) Train(bool useArena, bool crossEntropy) =>
        Train(useArena ? new TensorArena() : null, crossEntropy);

    /// <inheritdoc cref="Train(bool, bool)"/>
    private static (float[][] Parameters, float[] Losses) Train(TensorArena? arena, bool crossEntropy)
    {
        var rng = new Rng(7);
        var model = Mlp.Create([5, 16, 16, 3], () => new Tanh(), rng);
        var optimizer = new Adam(model.Parameters(), learningRate: 1e-2);
        var inputs = Tensor.Normal(rng, 0f, 1f, 8, 5);
        var targets = Tensor.Normal(rng, 0f, 1f, 8, 3);
        int[] classes = [0, 1, 2, 0, 1, 2, 2, 1];
        var losses = new float[6];
        for (int i = 0; i < losses.Length; i++)
        {
            using var step = arena is not null ? arena.Step() : default;
            optimizer.ZeroGrad();
            var prediction = model.Forward(inputs);
            var loss = crossEntropy ? Loss.CrossEntropy(prediction, classes) : Loss.Mse(prediction, targets);
            loss.Backward();
            optimizer.Step();
            losses[i] = loss.Item();
        }
        return ([.. model.Parameters().Select(p => p.ToArray())], losses);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrainingInArenaStepsGivesTheSameNumbersBitForBit(bool crossEntropy)
    {
        var plain = Train(useArena: false, crossEntropy);
        var recycled = Train(useArena: true, crossEntropy);
        Assert.Equal(plain.Losses, recycled.Losses);
        Assert.Equal(plain.Parameters, recycled.Parameters);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReusingTensorObjectsGivesTheSameNumbersBitForBit(bool crossEntropy)
    {
        var plain = Train(arena: null, crossEntropy);
        var reused = Train(new TensorArena(reuseTensorObjects: true), crossEntropy);
        Assert.Equal(plain.Losses, reused.Losses);
        Assert.Equal(plain.Parameters, reused.Parameters);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ConvolutionsInArenaStepsGiveTheSameNumbersBitForBit(int padding)
    {
        float[][] Run(bool useArena, bool reuseObjects = false)
        {
            var rng = new Rng(11);
            int side = 8 + 2 * padding - 2;                                    // 3×3 kernel, stride 1
            var model = new Sequential(new Conv2d(2, 3, kernelSize: 3, stride: 1, padding, rng), new ReLU(), new Flatten(), new Linear(3 * side * side, 2, rng));
            var optimizer = new Adam(model.Parameters(), learningRate: 1e-2);
            var inputs = Tensor.Normal(rng, 0f, 1f, 4, 2, 8, 8);
            var targets = Tensor.Normal(rng, 0f, 1f, 4, 2);
            var arena = new TensorArena(reuseObjects);
            for (int i = 0; i < 4; i++)
            {
                using var step = useArena ? arena.Step() : default;
                optimizer.ZeroGrad();
                Loss.Mse(model.Forward(inputs), targets).Backward();
                optimizer.Step();
            }
            return [.. model.Parameters().Select(p => p.ToArray())];
        }
        var plain = Run(useArena: false);
        Assert.Equal(plain, Run(useArena: true));
        Assert.Equal(plain, Run(useArena: true, reuseObjects: true));
    }

    /// <summary>Managed bytes this thread allocates over <paramref name="measured"/> calls of <paramref name="step"/>, after <paramref name="warmup"/> calls.</summary>
    private static long AllocatedBytes(Action step, int warmup = 4, int measured = 16)
    {
        for (int i = 0; i < warmup; i++) step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < measured; i++) step();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>A training step (zero-grad, forward, loss, backward, Adam) in a step of an arena that reuses tensor objects.</summary>
    private static Action TrainingStep(Module model, Tensor inputs, Func<Tensor, Tensor> loss)
    {
        var optimizer = new Adam(model.Parameters(), learningRate: 1e-3);
        var arena = new TensorArena(reuseTensorObjects: true);
        return () =>
        {
            using var step = arena.Step();
            optimizer.ZeroGrad();
            var value = loss(model.Forward(inputs));
            value.Backward();
            optimizer.Step();
            _ = value.Item();
        };
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnMlpTrainingStepAllocatesNothingOnceWarm(bool crossEntropy)
    {
        var rng = new Rng(3);
        var model = Mlp.Create([6, 32, 32, 4], () => new ReLU(), rng);
        var inputs = Tensor.Normal(rng, 0f, 1f, 16, 6);
        var targets = Tensor.Normal(rng, 0f, 1f, 16, 4);
        int[] classes = [.. Enumerable.Range(0, 16).Select(i => i % 4)];
        var step = TrainingStep(model, inputs, y => crossEntropy ? Loss.CrossEntropy(y, classes) : Loss.Mse(y, targets));
        Assert.Equal(0, AllocatedBytes(step));
    }

    [Theory]
    [InlineData(0)]                                                            // 8 out channels, no padding: the direct kernel
    [InlineData(1)]                                                            // padding: unfold and product
    public void AConvolutionTrainingStepAllocatesNothingOnceWarm(int padding)
    {
        var rng = new Rng(5);
        int side = (12 + 2 * padding - 3) / 2 + 1;                             // 3×3 kernel, stride 2
        var model = new Sequential(
            new Conv2d(3, 8, kernelSize: 3, stride: 2, padding, rng), new ReLU(), new Flatten(), new Linear(8 * side * side, 2, rng));
        var inputs = Tensor.Normal(rng, 0f, 1f, 4, 3, 12, 12);
        var targets = Tensor.Normal(rng, 0f, 1f, 4, 2);
        var step = TrainingStep(model, inputs, y => Loss.Mse(y, targets));
        Assert.Equal(0, AllocatedBytes(step));
    }

    [Fact]
    public void InferenceWithoutGradientsInAReusingArenaAllocatesNothingOnceWarm()
    {
        var rng = new Rng(9);
        var model = Mlp.Create([6, 32, 4], () => new Tanh(), rng);
        var inputs = Tensor.Normal(rng, 0f, 1f, 8, 6);
        var arena = new TensorArena(reuseTensorObjects: true);
        float sum = 0;
        long bytes = AllocatedBytes(() =>
        {
            using var step = arena.Step();
            using var noGrad = Tensor.NoGrad();
            sum += model.Forward(inputs).Softmax().Max().Item();
        });
        Assert.Equal(0, bytes);
        Assert.True(sum > 0);
    }

    [Fact]
    public void WithObjectReuseAStaleResultIsALaterStepsResultOfTheSamePlaceAndShape()
    {
        var arena = new TensorArena(reuseTensorObjects: true);
        var x = Tensor.FromArray([1f, -2f, 3f], 3);
        Tensor y;
        using (arena.Step()) y = (x * 2f).Relu();
        Assert.Throws<InvalidOperationException>(() => y.ToArray());           // between steps: recycled, as without reuse
        using (arena.Step())
        {
            var z = (x * 3f).Relu();                                           // the same ops, in the same order and shapes
            Assert.Same(y, z);                                                 // so the same object, showing this step's values
            Assert.Equal([3f, 0f, 9f], y.ToArray());
        }
        using (arena.Step())
        {
            _ = (x.Reshape(1, 3) * 3f).Relu();                                 // a [1, 3] input: the product and the ReLU change shape
            Assert.Throws<InvalidOperationException>(() => y.ToArray());       // y lost its place, and stays recycled
        }
        Assert.Equal([1f, -2f, 3f], x.ToArray());
    }

    [Fact]
    public void AResultReadAfterItsStepEndedThrowsInsteadOfReturningAnotherStepsValues()
    {
        var arena = new TensorArena();
        var x = Tensor.FromArray([1f, -2f, 3f], 3);
        Tensor y, view, kept;
        float item;
        using (arena.Step())
        {
            y = (x * 2f).Relu();
            view = y.Reshape(1, 3);
            kept = y.Clone();
            item = y.Sum().Item();
            Assert.Equal([2f, 0f, 6f], y.ToArray());
        }
        using (arena.Step()) _ = (x * 3f).Relu();                             // reuses y's storage
        Assert.Throws<InvalidOperationException>(() => y.ToArray());
        Assert.Throws<InvalidOperationException>(() => view.Span[0]);
        Assert.Throws<InvalidOperationException>(() => y.Detach().Item());
        Assert.Equal([3], y.Shape.ToArray());                                  // the shape is not storage
        Assert.Contains("recycled", y.ToString());
        Assert.Equal([2f, 0f, 6f], kept.ToArray());
        Assert.Equal(8f, item);
        Assert.Equal([1f, -2f, 3f], x.ToArray());                              // inputs made outside the step are untouched
    }

    [Fact]
    public void StepsReuseTheSameStorage()
    {
        var rng = new Rng(1);
        var model = Mlp.Create([4, 32, 2], () => new ReLU(), rng);
        var optimizer = new Adam(model.Parameters());
        var inputs = Tensor.Normal(rng, 0f, 1f, 16, 4);
        var arena = new TensorArena();
        long heldAfterFirst = 0;
        for (int i = 0; i < 5; i++)
        {
            using (arena.Step())
            {
                optimizer.ZeroGrad();
                Loss.CrossEntropy(model.Forward(inputs), [.. Enumerable.Range(0, 16).Select(j => j % 2)]).Backward();
                optimizer.Step();
            }
            if (i == 0) heldAfterFirst = arena.BytesHeld;
        }
        Assert.True(heldAfterFirst > 16 * 32 * 4, $"the first step should have lent the activations' storage; holds {heldAfterFirst} bytes");
        Assert.Equal(heldAfterFirst, arena.BytesHeld);
    }

    [Fact]
    public void LeafGradientsOutliveTheStepAndAccumulateAcrossSteps()
    {
        var w = Tensor.FromArray([1f, 2f], 2).AsParameter();
        var arena = new TensorArena();
        using (arena.Step()) (w * w).Sum().Backward();
        Assert.Equal([2f, 4f], w.Grad!.ToArray());                             // readable after the step
        using (arena.Step()) (w * 3f).Sum().Backward();                         // no ZeroGrad: accumulates, as outside arenas
        Assert.Equal([5f, 7f], w.Grad!.ToArray());
        w.ZeroGrad();
        using (arena.Step()) (w * 0.5f).Sum().Backward();
        Assert.Equal([0.5f, 0.5f], w.Grad!.ToArray());
    }

    [Fact]
    public void StepsDoNotNest()
    {
        var first = new TensorArena();
        var second = new TensorArena();
        using (first.Step())
        {
            Assert.Throws<InvalidOperationException>(() => second.Step());
            Assert.Throws<InvalidOperationException>(() => first.Step());
        }
        using (second.Step()) { }                                              // free again once the first ended
    }
}
