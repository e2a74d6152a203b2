using MlOps.Coordinator.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddCoordinator();

var app = builder.Build();
app.MapCoordinator();

return await app.RunCoordinatorAsync();
