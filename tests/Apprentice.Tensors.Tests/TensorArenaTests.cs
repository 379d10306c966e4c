using Apprentice.Tensors.Losses;
using Apprentice.Tensors.Nn;
using Apprentice.Tensors.Optim;
using Apprentice.Tensors.Random;

namespace Apprentice.Tensors.Tests;

public class TensorArenaTests
{
    /// <summary>Trains a small MLP for a few Adam steps, inside arena steps or not; returns the final parameters and the losses.</summary>
    private static (float[][] Parameters, float[] Losses) Train(bool useArena, bool crossEntropy)
    {
        var rng = new Rng(7);
        var model = Mlp.Create([5, 16, 16, 3], () => new Tanh(), rng);
        var optimizer = new Adam(model.Parameters(), learningRate: 1e-2);
        var inputs = Tensor.Normal(rng, 0f, 1f, 8, 5);
        var targets = Tensor.Normal(rng, 0f, 1f, 8, 3);
        int[] classes = [0, 1, 2, 0, 1, 2, 2, 1];
        var arena = new TensorArena();
        var losses = new float[6];
        for (int i = 0; i < losses.Length; i++)
        {
            using var step = useArena ? arena.Step() : default;
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
    [InlineData(0)]
    [InlineData(1)]
    public void ConvolutionsInArenaStepsGiveTheSameNumbersBitForBit(int padding)
    {
        float[][] Run(bool useArena)
        {
            var rng = new Rng(11);
            int side = 8 + 2 * padding - 2;                                    // 3×3 kernel, stride 1
            var model = new Sequential(new Conv2d(2, 3, kernelSize: 3, stride: 1, padding, rng), new ReLU(), new Flatten(), new Linear(3 * side * side, 2, rng));
            var optimizer = new Adam(model.Parameters(), learningRate: 1e-2);
            var inputs = Tensor.Normal(rng, 0f, 1f, 4, 2, 8, 8);
            var targets = Tensor.Normal(rng, 0f, 1f, 4, 2);
            var arena = new TensorArena();
            for (int i = 0; i < 4; i++)
            {
                using var step = useArena ? arena.Step() : default;
                optimizer.ZeroGrad();
                Loss.Mse(model.Forward(inputs), targets).Backward();
                optimizer.Step();
            }
            return [.. model.Parameters().Select(p => p.ToArray())];
        }
        Assert.Equal(Run(useArena: false), Run(useArena: true));
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
